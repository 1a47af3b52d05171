"""The domain: operations (writes) and queries (reads). Plain Python, never streamlit."""
