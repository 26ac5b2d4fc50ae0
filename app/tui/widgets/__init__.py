"""Widgets of the UI, one a module; they display what screens hand them and hold no domain logic."""
