"""How a reader lays out what it extracts."""

# Between pages (or any numbered section a citation is located by): a form feed on a
# line of its own, so a citation's page is the count of those before it.
PAGE_BREAK = "\n\f\n"
