class ReportRefused(Exception):
    """A change to a quality report the rules do not allow (another school's report, a
    published report's sections, generating one twice at once, …); the message says why, in
    the user's language. Nothing changed."""
