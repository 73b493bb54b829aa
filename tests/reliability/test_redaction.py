"""Secret redaction: real-format examples are replaced before storage; near-misses are kept."""

from __future__ import annotations

import pytest

from journal_mcp.core.config import Settings
from journal_mcp.core.redaction import redact_secrets
from journal_mcp.service.journal import Journal

# Assembled from parts so this file itself does not trip secret scanners.
AWS_KEY = "AKIA" + "Z7VRSQ5TJN2XMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"
GITHUB_PAT = "ghp_" + "1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R"
GITHUB_FINE = (
    "github_pat_" + "11ABCDEFG0123456789_" + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ab"
)
GITLAB = "glpat-" + "xYz12AbC3dEfGhIjK4lM"
OPENAI = "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z" + "T3BlbkFJ" + "a1b2c3d4e5f6"
OPENAI_LEGACY = "sk-" + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
ANTHROPIC = "sk-ant-api03-" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdEfGhIjKlMnOpQrSt"
SLACK_BOT = "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
SLACK_HOOK = "https://hooks.slack.com/services/" + "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    + "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0."
    + "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7v\nq3Jt8xY=\n-----END RSA PRIVATE KEY-----"
OPENSSH = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("text", "secret", "kind"),
    [
        (f"export AWS_ACCESS_KEY_ID={AWS_KEY}", AWS_KEY, "aws-access-key"),
        (f"aws_secret_access_key = {AWS_SECRET}", AWS_SECRET, "aws-secret-key"),
        (f"token {GITHUB_PAT} for CI", GITHUB_PAT, "github-token"),
        (f"fine-grained {GITHUB_FINE}", GITHUB_FINE, "github-token"),
        (f"gitlab {GITLAB}", GITLAB, "gitlab-token"),
        (f"OPENAI_API_KEY={OPENAI}", OPENAI, "openai-key"),
        (f"old key {OPENAI_LEGACY}", OPENAI_LEGACY, "openai-key"),
        (f"ANTHROPIC_API_KEY={ANTHROPIC}", ANTHROPIC, "anthropic-key"),
        (f"slack {SLACK_BOT}", SLACK_BOT, "slack-token"),
        (f"post to {SLACK_HOOK}", SLACK_HOOK, "slack-webhook"),
        (f"Authorization: Bearer {JWT}", JWT, "jwt"),
        (f"key:\n{PEM}\nend", PEM, "private-key"),
        (f"ssh:\n{OPENSSH}", OPENSSH, "private-key"),
        ("db at postgres://serving:s3cr3t-Pa55@db.internal:5432/models", "s3cr3t-Pa55", "url-password"),
        ("https://api.example.com/v1?user=bob&password=hunter2&x=1", "hunter2", "url-password"),
    ],
)
def test_real_format_secrets_are_redacted(text: str, secret: str, kind: str) -> None:
    redacted, count = redact_secrets(text)
    assert secret not in redacted
    assert f"[REDACTED:{kind}]" in redacted
    assert count >= 1


def test_context_around_a_secret_stays_readable() -> None:
    redacted, _ = redact_secrets("postgres://serving:s3cr3t@db.internal/models")
    assert redacted == "postgres://serving:[REDACTED:url-password]@db.internal/models"
    redacted, _ = redact_secrets(f"aws_secret_access_key={AWS_SECRET}")
    assert redacted == "aws_secret_access_key=[REDACTED:aws-secret-key]"


@pytest.mark.parametrize(
    "text",
    [
        "we use sk-learn and scikit-learn pipelines",
        "AKIA is a prefix of AWS keys; AKIAshort is not one",
        "ghp_tooShort and gho_ alone",
        "eyJhbGciOi is a base64 JSON prefix, not a JWT",
        "ssh git@github.com:org/repo.git and https://user@example.com/path",
        "postgres://user:@localhost/db has an empty password",
        "the password field is documented at /docs?section=password",
        "-----BEGIN PUBLIC KEY-----\nMIIBIjANBg\n-----END PUBLIC KEY-----",
        "xoxb is Slack's bot token prefix",
        "the hash 3f786850e387550fdab836ed7e6dc881de23001b is a commit",
        "sk-ant is Anthropic's prefix",
    ],
)
def test_near_misses_are_kept(text: str) -> None:
    assert redact_secrets(text) == (text, 0)


def test_redaction_happens_before_storage_and_can_be_turned_off(journal_env) -> None:
    journal = Journal(Settings.from_env(journal_env))
    result = journal.write({"technical_insights": f"use {GITHUB_PAT} then {AWS_KEY}"})
    assert result.redactions == 2
    stored = journal.read(result.entries[0].path).text
    assert GITHUB_PAT not in stored and AWS_KEY not in stored
    raw = journal.settings.user_db_path.read_bytes()
    wal = journal.settings.user_db_path.with_name("journal.db-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    assert GITHUB_PAT.encode() not in raw and AWS_KEY.encode() not in raw
    journal.close()
    opted_out = Journal(Settings.from_env({**journal_env, "JOURNAL_MCP_REDACT_SECRETS": "0"}))
    kept = opted_out.write({"technical_insights": f"keep {GITHUB_PAT}"})
    assert kept.redactions == 0 and GITHUB_PAT in opted_out.read(kept.entries[0].path).text
    opted_out.close()
