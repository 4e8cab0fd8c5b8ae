class SurveyRefused(Exception):
    """A change to yearly data the rules do not allow (a locked year, a school's data entered by
    someone else, …); the message says why, in the user's language. Nothing changed."""
