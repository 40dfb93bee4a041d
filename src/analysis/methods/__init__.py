"""Methods layer: pure functions over tidy frames that return frames and numbers (statistics,
population, areas, prevalence and the crime survey rates it applies, supply and the demand side,
young people and their 14-15 scenario, indicators). No HTML, figures or report wording.

Imports the data layer and the base modules only.
"""
