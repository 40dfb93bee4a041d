# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: 'Python (analysis: DA needs assessment)'
#     language: python
#     name: analysis
# ---

# %% [markdown] tags=["researcher-notes"]
# # Regional maps per 100,000 population (researcher notes)
#
# Maps and comparisons of every declared indicator (`analysis.methods.indicators`) for one authority's
# region and for England: a region map (the authority highlighted and labelled, its neighbours
# labelled, the rest of England grey), an England map with region outlines, a funnel plot of all
# upper-tier authorities against England, a ranked dot plot for the region and a comparison table
# (the authority, each neighbour in its region, the region and England).
#
# The report leads with households owed a homelessness duty because of domestic abuse per 100,000
# residents (MHCLG, latest complete financial year): an observed local measure that differs between
# areas (order: `config.MAP_LEAD_INDICATORS`). Each indicator is in its own unit (per 100,000, per
# 1,000 households as MHCLG states it, or per cent). An indicator that applies one national rate to
# every area (`varies_by_area=False`: the synthetic estimates) gets one sentence with its value
# instead of maps. A value made from 1-4 households is shown as `[c]` in every label, alt text and cell.
#
# Parameters (next cell):
# - `area`: an upper-tier authority code or name (default Hampshire, E10000014); a region or
#   England also work (then the region's authorities, or the regions, are compared).
# - `indicators`: `"all"` or a list of indicator ids, e.g. `["population_14_18"]`; run
#   `python -c "from analysis.methods import indicators; print(indicators.indicator_ids())"` to list them.
#   A homelessness indicator for another financial year: its id with the year, e.g.
#   `homelessness_da_per_residents_2022_23`.
# - `classification`: `"quantiles"` (default), `"equal_interval"` or `"fisher_jenks"`; classes are
#   always computed over England, so every map of an indicator shares its legend.
# - `confidence_level`: two-sided level of the intervals (e.g. 0.95).
#
# Run: `papermill notebooks/03_regional_maps.ipynb out.ipynb -p area E06000045 -y 'indicators: [population_14_18]'`
# or `analysis batch --area E06000045 --notebooks 03_regional_maps`. A new indicator is one
# `declare(Indicator(...))` in `src/analysis/methods/indicators/catalogue.py`; this notebook picks it up unchanged.

# %% tags=["parameters"]
area: str = "E10000014"  # authority code or name (default: Hampshire); a region or England also work
indicators: "Union[list[str], str]" = "all"  # noqa: F821 - indicator ids to show, e.g. ["population_14_18"], or "all"
classification: str = "quantiles"  # map classes over England: "quantiles", "equal_interval" or "fisher_jenks"
confidence_level: float = 0.95  # two-sided confidence level for intervals, between 0 and 1

# %%
from analysis.methods import indicators as indicator_registry
from analysis.present import labels, maps, report

ctx = report.start("03_regional_maps", area, confidence_level, indicators=indicators, classification=classification)
chosen_ids = indicator_registry.check_indicator_selection(indicators)
scheme = maps.check_classification(classification)
report.title(ctx)

# %% [markdown]
# ## Headline

# %%
chosen = [indicator_registry.get_indicator(i) for i in chosen_ids]
frames = {i.id: indicator_registry.compute_indicator(i, confidence=ctx.confidence_level) for i in chosen}
report.headline(maps.headline_sentence(chosen[0], frames[chosen[0].id], ctx.area, ctx.confidence_level))
comparison = maps.comparison_areas(ctx.area)
report.record(
    region_code=ctx.area.region_code,
    indicators=chosen_ids,
    neighbours=maps.neighbour_codes(ctx.area),
    classification=scheme,
    value={i: maps.area_value(frames[i], ctx.area.code) for i in chosen_ids},
    england_value={i: indicator_registry.england_value(frames[i]) for i in chosen_ids},
    unit={i.id: i.unit_label for i in chosen},
)

# %% [markdown]
# ## How to read these maps
#
# Each indicator below is a count or estimate **per 100,000 of the population it is about**, or
# in the unit its source uses (per 1,000 households, as MHCLG states homelessness rates; per cent
# for a share): the unit is on every legend, axis and table. The maps colour each area by class: the classes are
# computed once over **all of England's upper-tier authorities** (or regions, for a figure
# published only by region), never over the region shown, so the region map and the England map
# share one legend and a colour means the same value on both. Lighter is lower, darker is
# higher; the colours stay in order when printed in greyscale. Areas **without data are white,
# hatched and labelled "no data"**: they are not zero. On the region map the selected authority
# is outlined and labelled, its neighbours are labelled, and the rest of England is grey for
# context; the England map outlines the nine regions.
#
# The **funnel plot** places every upper-tier authority's value against its population, with
# England's value and control limits at 95% and 99.8%: a point outside the limits differs from
# England by more than chance variation in a population of that size would explain. The **dot
# plot** ranks the region's authorities with their intervals where the indicator has one. The
# **comparison table** lists the authority, each neighbour in its region, the region and England.
# Where a figure does not apply to an indicator the report says why instead; an indicator that is
# one national rate applied to every area gets one sentence with its value, since a map would show
# variation nobody measured. A value made from fewer than 5 households is never shown: it is `[c]`
# on the maps (dotted, not classed), left out of the funnel and dot plots, and `[c]` in the table.

# %%
report.markdown(maps.describe_classification(scheme, frames[chosen[0].id]))

# %% [markdown]
# ## Findings by indicator
#
# One section per indicator: what it shows and does not show, then the region map, the England
# map, the funnel plot, the ranked dot plot and the comparison table.

# %%
n_figures = 0
for indicator in chosen:
    frame = frames[indicator.id]
    report.markdown(f"### {indicator.heading}\n\n" + maps.describe_indicator(indicator, frame, ctx.area))
    drawn = 0
    for exhibit in maps.indicator_figures(indicator, frame, ctx.area, scheme=scheme):
        if exhibit.figure is None:
            report.markdown(exhibit.note)
        else:
            report.figure(exhibit.figure, alt=exhibit.alt, caption=exhibit.caption)
            drawn += 1
    n_figures += drawn
    if drawn:  # the data the maps and charts draw: every authority, region and England
        data, caption, options = maps.indicator_chart_data(indicator, frame, ctx.confidence_level)
        report.chart_data(data, caption, **options)
    shown = maps.indicator_table(indicator, frame, ctx.area)  # None for one national rate applied everywhere
    if shown is not None:
        report.table(
            shown.frame,
            caption=shown.caption,
            count_columns=shown.count_columns,
            derived_columns=shown.derived_columns,
            decimals=shown.decimals,
            notes=shown.notes,
            level=ctx.confidence_level,
        )
report.record(n_figures=n_figures)

# %% [markdown]
# ## Sources

# %%
report.sources(maps.source_ids(chosen))

# %% [markdown]
# ## Methods, assumptions and caveats
#
# Rates are the numerator divided by the denominator (ONS Census 2021 usual residents by sex and
# single year of age, TS009; MHCLG's households in the area;
# households owed a duty) times 100,000, 1,000 or 100 as the indicator's unit says. The interval method is declared with each indicator
# (Byar or exact Poisson for observed counts, Wilson for proportions, the estimate's own interval
# for modelled estimates, none where an interval would be meaningless) and stated below.
# Funnel limits follow the PHE funnel plot method around England's value. Boundaries are the ONS
# May 2021 districts dissolved into upper-tier authorities and regions, simplified along shared
# edges for drawing; nothing is fetched from the internet.

# %%
described = indicator_registry.describe_indicators(chosen_ids).drop(columns="indicator")
report.table(
    described.assign(sources=["; ".join(labels.source_titles(i.sources)) for i in chosen]),
    caption="Indicators shown in this report",
    labels={"interval": "Interval method", "unit": "Unit"},
)
report.caveats(maps.caveat_lines(chosen, scheme, ctx.confidence_level))

# %% [markdown]
# ## Reproduce

# %%
report.reproduce(ctx)
