"""Streamlit-side helpers shared by app.py and the pages: translation, the signed-in
actor, guarded pages, and the one way pages read (cached) and write (one transaction)."""
