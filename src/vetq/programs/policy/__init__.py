"""The policy file: its schema, where its errors are, and loading it into the database."""
