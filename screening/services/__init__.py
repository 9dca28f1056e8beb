"""Writes: every change to screening data goes through a function here."""
