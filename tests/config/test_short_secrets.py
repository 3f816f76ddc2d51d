"""Very short secret values: masked only as whole tokens (else they would shred all
output), and validation warns that they cannot be masked reliably."""

from __future__ import annotations

import pytest

from runtime.config.secrets import MASK, mask
from tests.conftest import run_weir


@pytest.mark.parametrize(("text", "values", "masked"), [
    ("table ab pin=ab", ["ab"], f"table {MASK} pin={MASK}"),
    ('{"pin": "ab"}', ["ab"], f'{{"pin": "{MASK}"}}'),
    ("generator-source connector", ["e"], "generator-source connector"),
    ("7 records, 77 left, 7s, v7", ["7"], f"{MASK} records, 77 left, 7s, v7"),
    ("abc_xyz abc", ["abc"], f"abc_xyz {MASK}"),
    # four characters and more: everywhere, as before
    ("xpassy", ["pass"], f"x{MASK}y"),
    ("Bearer hunter2hunter2!", ["hunter2hunter2"], f"Bearer {MASK}!"),
    # a longer secret is masked first, whole, even where a shorter one overlaps it
    ("xxabcdefgh", ["abcdefgh", "xxab"], f"xx{MASK}"),
    # a short value never matches inside a mask already made
    ("token=s3cr3t-value", ["s3cr3t-value", "*"], f"token={MASK}"),
])
def test_mask(text, values, masked):
    assert mask(text, values) == masked


CONFIG = """\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: short
  type: http-source
  topic: short
  secrets:
    - name: PIN
http:
  endpoint: https://example.com/
  headers: ["X-Pin: ${{ secrets.PIN }}"]
"""


def test_validate_warns_about_a_secret_too_short_to_mask(tmp_path):
    config = tmp_path / "short.yaml"
    config.write_text(CONFIG)
    secrets = tmp_path / "secrets"
    secrets.write_text("PIN=e7\n")
    result = run_weir("validate", str(config), "--secrets", str(secrets))
    assert result.returncode == 0, result.stdout  # a warning, not an error
    assert (f"{config}:8:13: warning[short-secret]: secret `PIN` is only 2 characters long"
            in result.stdout)
    assert "hint: use a value of at least 4 characters" in result.stdout
    assert run_weir("validate", "--strict", str(config), "--secrets", str(secrets)
                    ).returncode == 1
    secrets.write_text("PIN=e7e7\n")
    assert "short-secret" not in run_weir("validate", str(config), "--secrets",
                                          str(secrets)).stdout


def test_legacy_plaintext_short_secret_is_warned_about_too(tmp_path):
    config = tmp_path / "legacy.yaml"
    config.write_text("version: 0.3.0\nname: l\ntype: http\ntopic: l\nparameters:\n"
                      "  endpoint: https://example.com/\nsecrets:\n  PIN: x\n")
    result = run_weir("validate", str(config))
    assert "warning[short-secret]: secret `PIN` is only 1 character long" in result.stdout
