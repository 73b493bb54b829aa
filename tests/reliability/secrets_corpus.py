"""A corpus of realistic secrets (each in the context an agent would paste it in) and near misses.

Each secret is assembled from parts so this file itself does not trip secret scanners. `SECRETS`
maps a format name to (text, the secret values that must all disappear). `NEAR_MISSES` are texts
that look like secrets but are not; they should come back unchanged.
"""

from __future__ import annotations

AWS_ID = "AKIA" + "Z7VRSQ5TJN2XMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"
HEX32 = "9f2b" + "c47e1a0d5b8e3f6a2c9d7e4b1a8f"
HEX64 = HEX32 + "0d5b8e3f6a2c9d7e4b1a8f0c3d9f2bc4"


def _b64(n: int) -> str:
    alphabet = "Qx7Lp2Vm9Kd4Rt8Zs1Hc6Nw3Jf5Gb0Yy"
    return "".join(alphabet[(i * 7 + 3) % len(alphabet)] for i in range(n))


ALNUM36 = "a1B2c3D4e5F6g7H8" + "i9J0k1L2m3N4o5P6q7R8"

SECRETS: dict[str, tuple[str, list[str]]] = {
    "aws access key id": (f"export AWS_ACCESS_KEY_ID={AWS_ID}", [AWS_ID]),
    "aws secret in .env": (f"AWS_SECRET_ACCESS_KEY={AWS_SECRET}", [AWS_SECRET]),
    "aws create-access-key json": (
        '{"AccessKey": {"UserName": "ci", "AccessKeyId": "'
        + AWS_ID
        + '", "Status": "Active", "SecretAccessKey": "'
        + AWS_SECRET
        + '"}}',
        [AWS_ID, AWS_SECRET],
    ),
    "aws secret in prose": (f"the aws secret key is {AWS_SECRET} for the staging account", [AWS_SECRET]),
    "github classic pat": (f"used ghp_{ALNUM36} to push", ["ghp_" + ALNUM36]),
    "github oauth": (f"token gho_{ALNUM36}", ["gho_" + ALNUM36]),
    "github app token": (f"ghs_{ALNUM36} from the app", ["ghs_" + ALNUM36]),
    "github fine-grained": (
        "github_pat_11ABCDEFG0123456789_" + _b64(59),
        ["github_pat_11ABCDEFG0123456789_" + _b64(59)],
    ),
    "gitlab pat": ("glpat-" + "xYz12AbC3dEfGhIjK4lM", ["glpat-xYz12AbC3dEfGhIjK4lM"]),
    "openai project key": ("OPENAI_API_KEY=sk-proj-" + _b64(40), ["sk-proj-" + _b64(40)]),
    "openai legacy key": ("sk-" + _b64(20) + "T3BlbkFJ" + _b64(20), ["sk-" + _b64(20) + "T3BlbkFJ" + _b64(20)]),
    "anthropic key": ("ANTHROPIC_API_KEY=sk-ant-api03-" + _b64(60), ["sk-ant-api03-" + _b64(60)]),
    "stripe live secret": ("stripe key sk_live_" + _b64(24), ["sk_live_" + _b64(24)]),
    "stripe restricted": ("rk_live_" + _b64(24) + " for the webhook job", ["rk_live_" + _b64(24)]),
    "stripe webhook secret": ("whsec_" + _b64(32), ["whsec_" + _b64(32)]),
    "google api key": (
        "maps key AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
        ["AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"],
    ),
    "google oauth access token": ("ya29." + _b64(60), ["ya29." + _b64(60)]),
    "google client secret": ("client secret GOCSPX-" + _b64(28), ["GOCSPX-" + _b64(28)]),
    "slack bot token": (
        "xoxb-" + "123456789012-1234567890123-" + _b64(24),
        ["xoxb-123456789012-1234567890123-" + _b64(24)],
    ),
    "slack webhook": (
        "https://hooks.slack.com/services/" + "T0A1B2C3D/B0A1B2C3D/" + _b64(24),
        ["https://hooks.slack.com/services/T0A1B2C3D/B0A1B2C3D/" + _b64(24)],
    ),
    "discord webhook": (
        "https://discord.com/api/webhooks/" + "123456789012345678/" + _b64(68),
        ["123456789012345678/" + _b64(68)],
    ),
    "npm token": ("//registry.npmjs.org/:_authToken=npm_" + ALNUM36, ["npm_" + ALNUM36]),
    "hugging face token": ("HF_TOKEN=hf_" + _b64(34), ["hf_" + _b64(34)]),
    "pypi token": ("password = pypi-AgEIcHlwaS5vcmc" + _b64(60), ["pypi-AgEIcHlwaS5vcmc" + _b64(60)]),
    "sendgrid key": ("SG." + _b64(22) + "." + _b64(43), ["SG." + _b64(22) + "." + _b64(43)]),
    "twilio api key": ("twilio SK" + HEX32, ["SK" + HEX32]),
    "telegram bot token": ("bot 1234567890:AA" + _b64(33), ["1234567890:AA" + _b64(33)]),
    "databricks token": ("dapi" + HEX32, ["dapi" + HEX32]),
    "digitalocean token": ("dop_v1_" + HEX64, ["dop_v1_" + HEX64]),
    "shopify token": ("shpat_" + HEX32, ["shpat_" + HEX32]),
    "mailgun key": ("key-" + HEX32, ["key-" + HEX32]),
    "mailchimp key": (HEX32 + "-us14", [HEX32 + "-us14"]),
    "vault token": ("VAULT_TOKEN is hvs." + _b64(90), ["hvs." + _b64(90)]),
    "doppler token": ("dp.st.prd." + _b64(40), ["dp.st.prd." + _b64(40)]),
    "linear key": ("lin_api_" + _b64(40), ["lin_api_" + _b64(40)]),
    "postman key": ("PMAK-" + HEX32[:24] + "-" + HEX64[:34], ["PMAK-" + HEX32[:24] + "-" + HEX64[:34]]),
    "age secret key": ("AGE-SECRET-KEY-1" + "QZ" * 29, ["AGE-SECRET-KEY-1" + "QZ" * 29]),
    "jwt": (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0." + _b64(43),
        ["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0." + _b64(43)],
    ),
    "azure storage connection string": (
        "DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=" + _b64(86) + "==;EndpointSuffix=core.windows.net",
        [_b64(86)],
    ),
    "azure service bus": ("Endpoint=sb://x.servicebus.windows.net/;SharedAccessKey=" + _b64(44), [_b64(44)]),
    "rsa private key": (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA" + _b64(60) + "\n-----END RSA PRIVATE KEY-----",
        ["MIIEowIBAAKCAQEA" + _b64(60)],
    ),
    "openssh private key": (
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA"
        + _b64(40)
        + "\n-----END OPENSSH PRIVATE KEY-----",
        ["b3BlbnNzaC1rZXktdjEAAAAA" + _b64(40)],
    ),
    "pem without end line": (
        "pasted half a key:\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEF" + _b64(40) + "\n" + _b64(64),
        ["MIIEvQIBADANBgkqhkiG9w0BAQEF" + _b64(40), _b64(64)],
    ),
    "postgres url": ("postgres://serving:s3cr3t-Pa55@db.internal:5432/models", ["s3cr3t-Pa55"]),
    "redis url, empty user": ("redis://:Rp4ssw0rd9@cache.internal:6379/0", ["Rp4ssw0rd9"]),
    "password containing @": ("mysql://app:p@ss@w0rd!@db.example.com/app", ["p@ss@w0rd!"]),
    "password query parameter": ("https://api.example.com/v1?user=bob&password=hunter2x&x=1", ["hunter2x"]),
    ".env API_KEY": ("API_KEY=4f9d8c7b6a5e4d3c2b1a", ["4f9d8c7b6a5e4d3c2b1a"]),
    ".env SECRET_KEY": ("SECRET_KEY=django-insecure-8f7d6s5a4q3w2e1r", ["django-insecure-8f7d6s5a4q3w2e1r"]),
    ".env DB_PASSWORD quoted": ('DB_PASSWORD="Corr3ct-Horse-Battery"', ["Corr3ct-Horse-Battery"]),
    "yaml password": ("database:\n  user: app\n  password: Tr0ub4dor&3xyz\n", ["Tr0ub4dor&3xyz"]),
    "yaml quoted secret": ("client_secret: 'q8W2e4R6t8Y0u2I4'", ["q8W2e4R6t8Y0u2I4"]),
    "json password": ('{"username": "svc", "password": "s3cr3t-P@ss"}', ["s3cr3t-P@ss"]),
    "python assignment": ('api_key = "a8f5f167f44f4964e6c998dee827110c"', ["a8f5f167f44f4964e6c998dee827110c"]),
    "basic auth header": ("Authorization: Basic dXNlcjpodW50ZXIyMjIy", ["dXNlcjpodW50ZXIyMjIy"]),
    "bearer header, opaque token": ("Authorization: Bearer 7f3k9Qx2LmPw8Zt4Rv6Yn1Bc", ["7f3k9Qx2LmPw8Zt4Rv6Yn1Bc"]),
    "curl bearer": ('curl -H "Authorization: Bearer ' + _b64(40) + '" https://api', [_b64(40)]),
    "password in prose": ("the admin password is Winter2026!x for now", ["Winter2026!x"]),
    "artifactory key": ("AKCp8" + _b64(69), ["AKCp8" + _b64(69)]),
    "square oauth secret": ("sq0csp-" + _b64(43), ["sq0csp-" + _b64(43)]),
}

NEAR_MISSES: list[str] = [
    "we use sk-learn-compatible-estimator-interface for the model wrapper",
    "scikit-learn pipelines and sk-learn style fit/predict",
    "AKIA is a prefix of AWS keys; AKIAshort is not one",
    "ghp_ is GitHub's prefix for personal access tokens",
    "the commit 3f786850e387550fdab836ed7e6dc881de23001b fixed it",
    "image digest sha256:" + HEX64,
    "request id 123e4567-e89b-12d3-a456-426614174000 failed",
    "the password field is documented at /docs?section=password",
    "password: see the 1Password vault entry 'staging db'",
    "API_KEY=${API_KEY} comes from the environment",
    "export GITHUB_TOKEN=$GITHUB_TOKEN before running",
    'password = os.environ["DB_PASSWORD"]',
    "token: <your token here>",
    "ssh git@github.com:org/repo.git and https://user@example.com/path",
    "postgres://localhost:5432/models has no credentials",
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\n-----END PUBLIC KEY-----",
    "xoxb and xoxp are Slack token prefixes",
    "hf_hub_download fetches weights; npm_config_cache is an npm setting",
    "Bearer token authentication is used for the API",
    "the password is stored in the vault, not in the repo",
    "eyJhbGciOi is a base64 JSON prefix, not a JWT",
    "set max_tokens to 4096 and the secret sauce is caching",
    "the Authorization header carries a bearer token",
    "version 1.2.3-rc.4 built at 2026-11-30T12:00:00Z",
    "PRIVATE_KEY_PATH=~/.ssh/id_ed25519 points at the key file",
]
