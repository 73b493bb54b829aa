"""Replace API keys, tokens and passwords with a marker before anything is stored or embedded.

A journal outlives the session that wrote it and may be exported, backed up or synced; a secret
pasted into it by an agent must not be. Patterns follow the providers' documented token formats and
are anchored on their prefixes, so ordinary words and short look-alikes are left alone.
Set JOURNAL_MCP_REDACT_SECRETS=0 to store text exactly as written.
"""

from __future__ import annotations

import re

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "private-key",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
            re.DOTALL,
        ),
    ),
    ("aws-access-key", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA|AIPA|ANPA|ANVA|AGPA)[A-Z2-7]{16}\b")),
    (
        "aws-secret-key",
        re.compile(r"(?i)aws_secret_access_key\s*[=:]\s*[\"']?(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"),
    ),
    ("github-token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{60,255})\b")),
    ("gitlab-token", re.compile(r"\bgl(?:pat|dt|rt|ptt|cbt|oas)-[A-Za-z0-9_\-]{20,}")),
    ("anthropic-key", re.compile(r"\bsk-ant-[a-z]+\d*-[A-Za-z0-9_\-]{20,}")),
    ("openai-key", re.compile(r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}")),
    ("slack-token", re.compile(r"\bxox[abposre]-(?:[0-9A-Za-z]+-){1,4}[0-9A-Za-z]{8,}")),
    (
        "slack-webhook",
        re.compile(r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}"),
    ),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{16,}")),
    # Only the password of scheme://user:password@host is replaced; user and host stay readable.
    ("url-password", re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@]+:(?P<secret>[^\s@/]+)@")),
    (
        "url-password",
        re.compile(r"(?i)[?&](?:password|passwd|pwd|secret|token|api_key|apikey|access_token)=(?P<secret>[^&\s#]+)"),
    ),
]


def marker(kind: str) -> str:
    return f"[REDACTED:{kind}]"


def redact_secrets(text: str) -> tuple[str, int]:
    """Return `text` with secrets replaced by `[REDACTED:<kind>]`, and how many were replaced.

    Where a pattern names a `secret` group, only that part is replaced, so the context around it
    (`aws_secret_access_key=`, the user and host of a URL) stays readable.
    """
    total = 0
    for kind, pattern in _PATTERNS:

        def replace(match: re.Match[str], kind: str = kind) -> str:
            if "secret" not in match.re.groupindex:
                return marker(kind)
            whole, start = match.group(0), match.start()
            return whole[: match.start("secret") - start] + marker(kind) + whole[match.end("secret") - start :]

        text, count = pattern.subn(replace, text)
        total += count
    return text, total
