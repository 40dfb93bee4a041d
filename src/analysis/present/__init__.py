"""Presentation layer: report building blocks, house-style figures, maps, chapter wording,
publishing to HTML, templates and the headless browser.

Imports methods, data and the base modules; never the run layer.
"""
