"""Methods layer: pure functions over tidy frames that return frames and numbers (statistics,
population, areas, prevalence, supply, young people, indicators). No HTML, figures or report wording.

Imports the data layer and the base modules only.
"""
