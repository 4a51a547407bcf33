"""The security headers every answer carries: set by `csei serve` and by the static site's server rules."""

# Pages load nothing from other hosts: scripts, styles, images and requests stay on this server. No
# inline script or style is allowed: the pages' styles are all in site.css and editor.css.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
)
