"""District sign-in: OpenID Connect providers (Google, Microsoft Entra ID, any OIDC issuer),
the switch that turns local passwords off, and TOTP two-factor with recovery codes."""
