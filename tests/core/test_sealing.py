"""Secrets sealed at rest: client secrets, TOTP secrets and signing keys are stored encrypted under keys kept
outside the database; a migration seals what was stored plain; keys rotate; the set-up secret stays server-side."""
import pytest
from flask_migrate import downgrade, stamp, upgrade
from sqlalchemy import text

from milepost.core import sealing
from milepost.extensions import db
from milepost.signin import services as signin
from milepost.signin.models import SignInProvider, TotpCredential
from tests.helpers.signin import enrol_directly

CLIENT_SECRET = "a-very-secret-client-value-1234"


def raw(sql: str):
    with db.engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def _provider():
    provider = signin.save_provider(db.session, None, actor=None, name="District", kind="oidc",
                                    issuer="https://login.district.example", client_id="milepost",
                                    client_secret=CLIENT_SECRET, allowed_domains="district.example",
                                    create_accounts=False, trust_unverified_email_claim=False, enabled=True)
    db.session.commit()
    return provider


def test_a_sealed_value_opens_only_with_its_keys():
    one, two = sealing.generate_key(), sealing.generate_key()
    sealed = sealing.seal("hello", {"SEALING_KEYS": one})
    assert sealed.startswith("sealed:") and "hello" not in sealed
    assert sealing.unseal(sealed, {"SEALING_KEYS": f"{two},{one}"}) == "hello"
    with pytest.raises(sealing.SealBroken):
        sealing.unseal(sealed, {"SEALING_KEYS": two})
    assert sealing.unseal("plain from before", {"SEALING_KEYS": one}) == "plain from before"


def test_rotation_puts_a_new_key_in_front_and_reseals():
    old, new = sealing.generate_key(), sealing.generate_key()
    sealed = sealing.seal("s3cret", {"SEALING_KEYS": old})
    resealed = sealing.reseal(sealed, {"SEALING_KEYS": f"{new},{old}"})
    assert sealing.unseal(resealed, {"SEALING_KEYS": new}) == "s3cret"  # the old key can now be dropped


def test_client_and_totp_secrets_are_stored_sealed_and_read_plain(app, make_user):
    provider = _provider()
    admin = make_user("site_admin")
    secret, _ = enrol_directly(admin)
    stored_client = raw(f"SELECT client_secret FROM signin_provider WHERE id = {provider.id}")
    stored_totp = raw(f"SELECT secret FROM signin_totp WHERE user_id = {admin.id}")
    assert stored_client.startswith("sealed:") and CLIENT_SECRET not in stored_client
    assert stored_totp.startswith("sealed:") and secret not in stored_totp
    db.session.expire_all()
    assert db.session.get(SignInProvider, provider.id).client_secret == CLIENT_SECRET
    assert db.session.get(TotpCredential, admin.id).secret == secret


def test_the_migration_seals_plain_values_and_the_downgrade_opens_them(app, make_user):
    provider_id = _provider().id
    admin = make_user("site_admin")
    secret, _ = enrol_directly(admin)
    admin_id = admin.id
    db.session.remove()
    stamp()
    try:
        downgrade(revision="0015_one_review_stage")
        assert raw(f"SELECT client_secret FROM signin_provider WHERE id = {provider_id}") == CLIENT_SECRET
        assert raw(f"SELECT secret FROM signin_totp WHERE user_id = {admin_id}") == secret
        upgrade()
        assert raw(f"SELECT client_secret FROM signin_provider WHERE id = {provider_id}").startswith("sealed:")
        assert raw(f"SELECT secret FROM signin_totp WHERE user_id = {admin_id}").startswith("sealed:")
        assert db.session.get(TotpCredential, admin_id).secret == secret
    finally:
        db.session.remove()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def test_reseal_moves_every_secret_to_a_new_key_and_the_old_key_can_go(app, make_user):
    _provider()
    app.config["SEALING_KEYS"] = sealing._configured(app.config)[0]  # the derived key, listed explicitly
    from milepost.credentials import keys
    row = keys.generate_key(db.session)
    db.session.commit()
    new = sealing.generate_key()
    app.config["SEALING_KEYS"] = f"{new},{app.config['SEALING_KEYS']}"
    result = app.test_cli_runner().invoke(args=["secrets", "reseal"])
    assert result.exit_code == 0, result.output
    assert "Sealed 1 stored secrets and 1 key files" in result.output
    app.config["SEALING_KEYS"] = new
    db.session.expire_all()
    assert db.session.scalars(db.select(SignInProvider)).one().client_secret == CLIENT_SECRET
    assert keys.private_key(row.kid) is not None


def test_signing_key_files_are_sealed_and_old_plain_ones_still_load_then_get_sealed(app):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from milepost.credentials import keys
    row = keys.generate_key(db.session)
    db.session.commit()
    data = (keys.keys_folder() / f"{row.kid}.pem").read_bytes()
    assert data.startswith(b"sealed:") and b"PRIVATE KEY" not in data
    assert keys.private_key(row.kid) is not None
    plain = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption())
    (keys.keys_folder() / "old.pem").write_bytes(plain)
    assert keys.private_key("old") is not None
    assert keys.reseal_key_files() == 2
    assert (keys.keys_folder() / "old.pem").read_bytes().startswith(b"sealed:")
    app.config["SEALING_KEYS"] = sealing.generate_key()  # the wrong key: a clear refusal, not a crash
    with pytest.raises(keys.KeyMissing, match="cannot be opened"):
        keys.private_key(row.kid)


def test_the_two_factor_set_up_secret_is_not_in_the_session_cookie(app, make_user):
    # The session cookie is only signed: anyone holding it can read it, so the secret must not be in it.
    from tests.helpers.app import login
    app.config["TWO_FACTOR_REQUIRED"] = True
    admin = make_user("site_admin")
    client = app.test_client()
    login(client, admin.email)
    client.get("/signin/two-factor/set-up")
    from milepost.signin.models import TotpSetup
    db.session.expire_all()
    secret = db.session.get(TotpSetup, admin.id).secret
    cookie = client.get_cookie("session", domain="milepost.test")
    import base64
    import zlib
    payload = cookie.value.lstrip(".").split(".")[0]
    payload += "=" * (-len(payload) % 4)
    decoded = base64.urlsafe_b64decode(payload)
    if cookie.value.startswith("."):
        decoded = zlib.decompress(decoded)
    assert secret.encode() not in decoded
    assert raw(f"SELECT secret FROM signin_totp_setup WHERE user_id = {admin.id}").startswith("sealed:")
