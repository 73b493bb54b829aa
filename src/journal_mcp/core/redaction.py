"""Replace API keys, tokens and passwords with a marker before anything is stored or embedded.

A journal outlives the session that wrote it and may be exported, backed up or synced; a secret
pasted into it by an agent must not be. Two rule sets find secrets:

- Yelp's `detect-secrets` (maintained, used as a library: its provider plugins' patterns and its
  keyword detector with its false-positive filters). Its entropy plugins are left out: journals
  are full of commit hashes, digests and ids, and entropy alone cannot tell those from keys.
- Our own rules, for what it misses: provider formats it lacks (Google, Hugging Face, Anthropic,
  Databricks, DigitalOcean, Shopify...), secrets in context (AWS secret keys beside their name in
  JSON or prose, `.env` and YAML/JSON fields, Authorization headers, URL passwords containing `@`,
  PEM blocks without their END line).

Every match is replaced whole by ``[REDACTED:<kind>]``; the count is the number of secrets
replaced, and a secret is either replaced entirely or not counted. Set JOURNAL_MCP_REDACT_SECRETS=0
to store text exactly as written.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

Rule = tuple[str, re.Pattern[str]]

# Values that name a secret without being one: templates, variables, placeholders, markers.
_PLACEHOLDER = re.compile(
    r"^(?:\$|%\(|\{\{|<|\[REDACTED|\*+$|x+$|\.\.\.|(?:your|my|the)[_-]|example|placeholder|changeme$|none$|null$|"
    r"true$|false$|redacted|secret$|password$|token$|env\b|os\.environ|process\.env|getenv)",
    re.IGNORECASE,
)

_AUTH_WORDS = r"(?:password|passwd|passphrase|pwd|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|token|private[_-]?key|secret[_-]?key|credentials?)"

_RULES: list[Rule] = [
    (
        "private-key",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
            r"(?:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|(?:[ \t]*\r?\n(?:[A-Za-z0-9+/=:,\- \t]+))*)",
            re.DOTALL,
        ),
    ),
    ("aws-access-key", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA|AIPA|ANPA|ANVA|AGPA)[A-Z2-7]{16}\b")),
    (
        "aws-secret-key",
        re.compile(
            r"(?i)(?:aws_?secret_?(?:access_?)?key|secret_?access_?key|aws secret(?: access)?(?: key)?)"
            r"[\"']?\s*(?:[=:]|=>|\bis\b|\bwas\b)?\s*[\"']?(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"
        ),
    ),
    ("github-token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{60,255})\b")),
    ("gitlab-token", re.compile(r"\bgl(?:pat|dt|rt|ptt|cbt|oas|soat|ft|imt|agent)-[A-Za-z0-9_\-]{20,}")),
    ("anthropic-key", re.compile(r"\bsk-ant-[a-z]+\d*-[A-Za-z0-9_\-]{20,}")),
    # OpenAI: project/service keys by prefix; legacy `sk-` keys only when the rest looks random
    # (32+ letters and digits, no hyphen), so "sk-learn-compatible-estimator-interface" stays.
    ("openai-key", re.compile(r"\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{20,}")),
    ("openai-key", re.compile(r"\bsk-[A-Za-z0-9]{32,}\b")),
    ("stripe-key", re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[0-9a-zA-Z]{16,}\b|\bwhsec_[0-9a-zA-Z]{24,}\b")),
    ("slack-token", re.compile(r"\bxox[abposre]-(?:[0-9A-Za-z]+-){1,4}[0-9A-Za-z]{8,}")),
    (
        "slack-webhook",
        re.compile(r"https://hooks\.slack\.com/(?:services|workflows)/T[A-Z0-9]+/[A-Z0-9/]+[A-Za-z0-9]{16,}"),
    ),
    ("discord-webhook", re.compile(r"https://(?:\w+\.)?discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_\-]{40,}")),
    ("google-api-key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}(?![0-9A-Za-z_\-])")),
    ("google-oauth", re.compile(r"\bya29\.[0-9A-Za-z_\-]{20,}|\bGOCSPX-[0-9A-Za-z_\-]{20,}")),
    ("huggingface-token", re.compile(r"\bhf_[A-Za-z0-9]{30,}\b")),
    ("npm-token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    ("pypi-token", re.compile(r"\bpypi-AgE[A-Za-z0-9_\-]{50,}")),
    ("sendgrid-key", re.compile(r"\bSG\.[A-Za-z0-9_\-]{16,32}\.[A-Za-z0-9_\-]{16,64}")),
    ("twilio-key", re.compile(r"\bSK[0-9a-fA-F]{32}\b")),
    ("telegram-bot-token", re.compile(r"\b\d{8,10}:AA[0-9A-Za-z_\-]{33}\b")),
    ("databricks-token", re.compile(r"\bdapi[0-9a-f]{32}(?:-\d+)?\b")),
    ("digitalocean-token", re.compile(r"\bdo[por]_v1_[0-9a-f]{64}\b")),
    ("shopify-token", re.compile(r"\bshp(?:at|ss|ca|pa)_[0-9a-fA-F]{32}\b")),
    ("mailgun-key", re.compile(r"\bkey-[0-9a-f]{32}\b")),
    ("mailchimp-key", re.compile(r"\b[0-9a-f]{32}-us\d{1,2}\b")),
    ("vault-token", re.compile(r"\bhv[sb]\.[A-Za-z0-9_\-]{24,}")),
    ("doppler-token", re.compile(r"\bdp\.(?:st|ct|sa|scim|audit)(?:\.[a-z0-9_\-]{1,30})?\.[A-Za-z0-9]{40,}")),
    ("grafana-token", re.compile(r"\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\b|\bglc_[A-Za-z0-9+/=]{32,}")),
    ("linear-key", re.compile(r"\blin_api_[A-Za-z0-9]{40}\b")),
    ("postman-key", re.compile(r"\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b")),
    ("newrelic-key", re.compile(r"\bNRAK-[A-Z0-9]{27}\b")),
    ("age-secret-key", re.compile(r"\bAGE-SECRET-KEY-1[0-9A-Z]{58}\b")),
    ("atlassian-token", re.compile(r"\bATATT3[A-Za-z0-9_\-=]{50,}")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{16,}")),
    (
        "azure-key",
        re.compile(r"(?i)\b(?:AccountKey|SharedAccessKey|SharedSecret)=(?P<secret>[A-Za-z0-9+/]{20,}={0,2})"),
    ),
    (
        "authorization-header",
        re.compile(
            r"(?i)\b(?:Authorization|Proxy-Authorization)[\"']?\s*[:=]\s*[\"']?(?:Basic|Bearer|Token|Digest|Bot)\s+"
            r"(?P<secret>[A-Za-z0-9+/._~\-]{8,}=*)"
        ),
    ),
    ("bearer-token", re.compile(r"\bBearer\s+(?P<secret>(?=[A-Za-z0-9._~+/\-]*\d)[A-Za-z0-9._~+/\-]{20,}=*)")),
    # scheme://user:password@host — the password may itself contain `@` (the last `@` ends it).
    (
        "url-password",
        re.compile(
            r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@]*:(?P<secret>[^\s/]*[^\s/@])@(?=[A-Za-z0-9.\-\[\]_]+(?:[:/?#]|\s|$))"
        ),
    ),
    (
        "url-password",
        re.compile(r"(?i)[?&](?:password|passwd|pwd|secret|token|api_key|apikey|access_token)=(?P<secret>[^&\s#]+)"),
    ),
    # .env / shell lines: NAME=value where NAME says what it is.
    (
        "env-secret",
        re.compile(
            r"(?m)(?<![A-Za-z0-9_])(?:export\s+)?[A-Z0-9_]*(?:SECRET|PASSWORD|PASSWD|PWD|TOKEN|API_?KEY|ACCESS_?KEY|"
            r"PRIVATE_?KEY|AUTH|CREDENTIALS?|DSN)[A-Z0-9_]*\s*=\s*[\"']?(?P<secret>[^\s\"'#]{6,})"
        ),
    ),
    # YAML / JSON / TOML / code: "password": "value", password: 'value', api_key = "value".
    (
        "password-field",
        re.compile(
            rf"(?i)[\"']?\b[\w.-]*{_AUTH_WORDS}[\"']?\s*(?::|=|=>)\s*(?P<q>[\"'])(?P<secret>[^\"'\n]{{4,}})(?P=q)"
        ),
    ),
    ("password-field", re.compile(rf"(?im)^\s*[\w.-]*{_AUTH_WORDS}\s*:\s+(?P<secret>[^\s\"'#]{{6,}})\s*$")),
    # Prose: "the password is hunter2!" / "passphrase: 'x'".
    (
        "password",
        re.compile(
            r"(?i)\b(?:password|passphrase|passwd|pin code)\s+(?:is|was|=|:|set to|changed to)\s+[\"'`]?"
            r"(?P<secret>[^\s\"'`]{6,}?)[\"'`]?(?=[.,;)]*(?:\s|$))"
        ),
    ),
]


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    kind: str
    priority: int = 0  # where two rules match the same span, the lower wins (ours in list order, then theirs)


def marker(kind: str) -> str:
    return f"[REDACTED:{kind}]"


def _looks_like_a_value(secret: str, kind: str) -> bool:
    """Drop context-rule matches that name a secret rather than hold one."""
    if kind not in ("env-secret", "password-field", "password", "bearer-token", "authorization-header"):
        return True
    if _PLACEHOLDER.match(secret) or "REDACTED" in secret:
        return False
    if kind == "env-secret" and re.match(r"^(?:~|\.{0,2})/", secret):
        return False  # PRIVATE_KEY_PATH=~/.ssh/id_ed25519 names a file, it does not hold the key
    if kind == "password" or kind == "password-field":
        # A plain lowercase word ("stored", "required") is prose, not a password.
        return bool(re.search(r"[\d\W_A-Z]", secret)) or len(secret) >= 12
    return True


def _ours(text: str) -> Iterator[Finding]:
    for priority, (kind, pattern) in enumerate(_RULES):
        for match in pattern.finditer(text):
            group = "secret" if "secret" in pattern.groupindex else 0
            start, end = match.span(group)
            if end > start and _looks_like_a_value(match.group(group), kind):
                yield Finding(start, end, kind, priority)


@functools.cache
def _detect_secrets() -> tuple[list[Rule], Callable[[str], Iterator[str]], Callable[[str, str], bool]]:
    """detect-secrets' provider patterns, its keyword detector and its filters (imported on first use)."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.filters import heuristic
    from detect_secrets.plugins.base import RegexBasedDetector
    from detect_secrets.plugins.keyword import KeywordDetector

    skipped = {"Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector", "KeywordDetector"}
    rules: list[Rule] = []
    plugins: dict[str, type] = dict(get_mapping_from_secret_type_to_class())
    for secret_type, plugin in plugins.items():
        if plugin.__name__ in skipped or not issubclass(plugin, RegexBasedDetector):
            continue
        slug = re.sub(r"[^a-z0-9]+", "-", secret_type.lower()).strip("-")
        rules.extend((slug, pattern) for pattern in plugin().denylist)
    keyword = KeywordDetector()

    def false_positive(secret: str, line: str) -> bool:
        return bool(
            heuristic.is_templated_secret(secret)
            or heuristic.is_prefixed_with_dollar_sign(secret)
            or heuristic.is_indirect_reference(line)
            or heuristic.is_sequential_string(secret)
            or heuristic.is_potential_uuid(secret)
            or heuristic.is_likely_id_string(secret, line)
            or _PLACEHOLDER.match(secret)
        )

    return rules, keyword.analyze_string, false_positive


def _theirs(text: str) -> Iterator[Finding]:
    rules, keyword, false_positive = _detect_secrets()
    for kind, pattern in rules:
        for match in pattern.finditer(text):
            group = 1 if pattern.groups else 0
            start, end = match.span(group)
            if end > start:
                yield Finding(start, end, kind, len(_RULES))
    offset = 0
    for line in text.splitlines(keepends=True):
        for secret in set(keyword(line)):
            if len(secret) < 4 or false_positive(secret, line):
                continue
            at = line.find(secret)
            while at >= 0:
                yield Finding(offset + at, offset + at + len(secret), "secret-keyword", len(_RULES) + 1)
                at = line.find(secret, at + len(secret))
        offset += len(line)


def find_secrets(text: str) -> list[Finding]:
    """Non-overlapping secrets in `text`, in order; where two rules overlap, the wider match wins."""
    found = sorted({*_ours(text), *_theirs(text)}, key=lambda f: (f.start, -(f.end - f.start), f.priority))
    kept: list[Finding] = []
    for finding in found:
        if kept and finding.start < kept[-1].end:
            last = kept[-1]
            if finding.end > last.end:  # overlapping spans: one replacement covering both
                kept[-1] = Finding(last.start, finding.end, last.kind, last.priority)
            continue
        kept.append(finding)
    return kept


def redact_secrets(text: str) -> tuple[str, int]:
    """Return `text` with secrets replaced by `[REDACTED:<kind>]`, and how many were replaced.

    Where a rule knows the context (`aws_secret_access_key=`, the user and host of a URL), only the
    secret is replaced, so the context stays readable.
    """
    findings = find_secrets(text)
    if not findings:
        return text, 0
    parts: list[str] = []
    at = 0
    for finding in findings:
        parts.append(text[at : finding.start])
        parts.append(marker(finding.kind))
        at = finding.end
    parts.append(text[at:])
    return "".join(parts), len(findings)
