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
# # 01 Prevalence of domestic abuse (researcher notes)
#
# **What it does.** Estimates how many adults in an area experienced domestic abuse in the last
# year by applying the national Crime Survey for England and Wales (CSEW) rates, by sex (and age
# band where published), to the area's population (ONS Census 2021 usual residents by sex and single
# year of age): a *synthetic* estimate. It shows the population and the estimate by sex and age band,
# women's partner abuse by the age bands the survey publishes, compares the rate per 100,000 adults
# with the region and England, estimates children living in households where a parent is
# experiencing domestic abuse, sizes the groups who may need specialist support (Census 2021
# residents from ethnic minority groups and disabled residents, `analysis.methods.groups`) and the
# area's deprivation (IoD 2019, the workspace's upper-tier score and rank,
# `analysis.methods.deprivation`), and lists sources, assumptions and caveats. The logic is in
# `analysis.methods`; this notebook only tells the story.
#
# **Parameters** (next cell; `papermill --help-notebook notebooks/01_prevalence.ipynb` lists them):
# `area` (code or name of an upper-tier authority, a region such as London `E12000007`, or England),
# `survey_year` (e.g. `"YE Mar 2023"`, or `"latest"`: the latest year with rates by sex),
# `measure` (default `any_domestic_abuse`), `measure_version` (`"pre-2024"`, `"2024+"` or `"auto"`),
# `confidence_level`, `round_to` (rounding of the estimates shown).
#
# **Run it** for another area: `papermill notebooks/01_prevalence.ipynb out.ipynb -p area E06000045`
# or `analysis batch --area "Southampton" --notebooks 01_prevalence`. Available survey years:
# `prevalence.list_survey_years()`. To use newer ONS rates (for example by sex and age band with
# intervals), add rows to `data/raw/authored/csew_prevalence_rates.csv` as `data/raw/README.md`
# explains, then `analysis data hash authored/csew_prevalence_rates.csv` and `analysis data build`.

# %% tags=["parameters"]
area: str = "E10000014"  # authority, region or England: GSS code or name (default: Hampshire)
survey_year: str = "latest"  # crime survey year, e.g. "YE Mar 2023", or "latest" (latest year with rates by sex)
measure: str = "any_domestic_abuse"  # crime survey measure of the csew_rates table, e.g. "partner_abuse"
measure_version: str = "auto"  # "pre-2024", "2024+" or "auto" (2024+ when its rates are complete, else pre-2024)
confidence_level: float = 0.95  # two-sided confidence level for intervals, between 0 and 1
round_to: int = 10  # round the estimates shown to this multiple (1 for no rounding); records stay unrounded

# %%
from analysis import config
from analysis.methods import deprivation, prevalence, prevalence_bands
from analysis.methods import groups as group_methods
from analysis.present import deprivation as show_deprivation
from analysis.present import groups as show_groups
from analysis.present import labels, report
from analysis.present import prevalence as show

ctx = report.start(
    "01_prevalence",
    area,
    confidence_level,
    survey_year=survey_year,
    measure=measure,
    measure_version=measure_version,
    round_to=round_to,
)
round_to = show.check_round_to(round_to)
rates = prevalence.select_rates(survey_year, measure, measure_version)
report.title(ctx)

# %% [markdown]
# ## Headline

# %%
comparison = prevalence.compare_with_region_and_england(
    ctx.area.code, survey_year, measure, measure_version, ctx.confidence_level
)
mine = comparison.iloc[0]
children = prevalence.estimate_children(ctx.area.code)
groups = prevalence.estimate_adults(ctx.area.code, survey_year, measure, measure_version, ctx.confidence_level)
report.headline(show.headline_text(mine, round_to))
report.record(**prevalence.headline_values(comparison, children))
report.markdown(
    f"Crime survey rates used: **{mine['survey_year']}**, measure: "
    f"{labels.value('measure', mine['measure']).lower()} (**{mine['measure_version']}** version only), "
    f"breakdown **{show.BREAKDOWNS[mine['breakdown']]}**, "
    f"ages {mine['age_range']}. Uncertainty: {mine['interval_method']}. {show.POPULATION_NOTE}"
)

# %% [markdown]
# ## Estimate by group, as the rates are published
#
# Each row applies one national crime survey rate to the area's population in that group; the
# estimate for the area is their sum. The rows are the finest *complete* breakdown the published
# rates allow for the survey year: rates that leave part of the survey's age range uncovered (for
# example the published all-adult rates for ages 16-19 and 20-24 alone) are not used. Women's and
# men's populations are Census 2021 counts for each sex and age, not a split of persons.

# %%
by_group = report.table(
    show.display_groups(groups, round_to),
    f"{ctx.area.name}: estimated adults who {show.describe_measure(measure)}, "
    f"by {show.BREAKDOWNS[mine['breakdown']]} ({mine['survey_year']} rates, Census 2021 population)",
    decimals={"rate_percent": 1, "rate_ci_lower": 1},
    labels=show.ESTIMATE_LABELS,
    level=ctx.confidence_level,
    notes=[
        f"Estimates and populations rounded to the nearest {round_to}. The rate's interval is the 95% interval "
        "the survey published; the estimate's interval applies it to the population. "
        f"Intervals: {mine['interval_method']}.",
        "Modelled estimates from national rates and population estimates, not counts of people, so "
        "no small-number suppression applies.",
        show.POPULATION_NOTE,
    ],
    symbols={"–": "no interval: none was published for the rate."},
)
has_interval = prevalence.has_intervals(groups)
fig, alt = show.figure_by_group(groups, mine, ctx.area.name, round_to)
report.figure(fig, alt=alt)
report.chart_data(by_group)

# %% [markdown]
# ## Population and estimate by sex and age band
#
# Census 2021 counts the area's women and men at every single year of age, so the population behind
# the estimate can be shown by sex and by the age bands the crime survey publishes. Each row carries
# the rate of the group it belongs to, named in "rate published for", and the rows add up to the
# estimate above. Where that rate is for a wider group than the row (for example women aged 16+),
# the row shows how the estimate spreads over the area's age structure, not how the risk of abuse
# differs with age: the note under the table says which applies here.

# %%
bands = prevalence_bands.by_sex_and_age_band(groups)
report.markdown(show.band_rate_note(bands))
report.table(
    show.display_by_sex_and_age_band(bands, round_to),
    f"{ctx.area.name}: Census 2021 population and estimated adults who {show.describe_measure(measure)}, "
    f"by sex and age band ({mine['survey_year']} rates)",
    decimals={"rate_percent": 1},
    labels=show.ESTIMATE_LABELS,
    level=ctx.confidence_level,
    symbols={"–": "no interval: none was published for the rate."},
    notes=[
        f"Estimates and populations rounded to the nearest {round_to}. Intervals: {prevalence.interval_method(bands)}.",
        show.POPULATION_NOTE,
    ],
)

# %% [markdown]
# ### Women's partner abuse by age band
#
# For one measure the survey does publish rates by age band: partner abuse in the last year, for
# women only (ONS, UK SDG indicator 5.2.1). The table applies the latest year whose published bands
# cover the survey's whole age range to the area's women in each band. It is a different measure
# (partner abuse only, women only), survey year and age range from the estimate above, so it is shown
# beside it, never added to it.

# %%
women_rates = prevalence.select_rates_by_age("female", "partner_abuse")
women_by_age = prevalence.apply_rates([ctx.area], women_rates, ctx.confidence_level)
women_total = prevalence.sum_estimates(women_by_age)
report.record(
    partner_abuse_women_estimate=women_total[0],
    partner_abuse_women_population=float(women_by_age["population"].sum()),
    partner_abuse_women_survey_year=women_by_age["survey_year"].iloc[0],
    partner_abuse_women_age_range=women_by_age["age_range"].iloc[0],
)
report.table(
    show.display_partner_abuse_women(women_by_age, round_to),
    f"{ctx.area.name}: estimated women aged {women_by_age['age_range'].iloc[0]} who "
    f"{show.describe_measure('partner_abuse')}, by age band ({women_by_age['survey_year'].iloc[0]} rates "
    "for women by age, Census 2021 women)",
    decimals={"rate_percent": 1, "rate_ci_lower": 1},
    labels={**show.ESTIMATE_LABELS, "estimate": "Estimated women"},
    level=ctx.confidence_level,
    symbols={"–": "no figure: no interval was published for the rate, and no rate applies to the total row."},
    notes=[
        "Each band's rate is the one the survey published for women of that age (England and Wales). "
        f"Estimates and populations rounded to the nearest {round_to}. Intervals: "
        f"{prevalence.interval_method(women_by_age)}.",
        "The total row sums the bands; no rate is applied to it.",
        show.POPULATION_NOTE,
    ],
)

# %% [markdown]
# ## Population structure: the area against England
#
# A synthetic estimate differs between areas only through their populations: how many adults they
# have and, where rates differ by sex or age, their sex and age structure. The pyramid shows the
# area's population by five-year age band and sex as a share of its total, with England as an
# outline. Women and men at each age are Census 2021 counts, so differences between the two sides of
# the pyramid are observed (within ONS's small cell perturbation).

# %%
fig, alt = show.figure_pyramid(ctx.area.code, ctx.area.name)
report.figure(fig, alt=alt)
pyramid = show.pyramid_data(ctx.area.code, ctx.area.name)
report.chart_data(
    pyramid,
    f"{ctx.area.name} and England: share of the population in each five-year age band, by sex (Census 2021)",
    decimals=dict.fromkeys(pyramid.columns[1:], 2),
    notes=[f"Source: {config.POPULATION_BASE}. Each sex and band as a % of the area's whole population."],
)

# %% [markdown]
# ## Per 100,000 adults: area, region and England
#
# The same national rates applied to the region and to England give the comparison below. Because
# every area gets the same rates, the rates per 100,000 adults can differ only through sex and age
# structure; they say nothing about differences in local risk, services or reporting.

# %%
report.markdown(show.explain_comparison(mine))
per_100k = report.table(
    show.display_comparison(comparison, round_to),
    f"Estimated adults who {show.describe_measure(measure)}, per 100,000 adults aged "
    f"{mine['age_range']} ({mine['survey_year']} rates)",
    decimals={"estimate_per_100k_adults": 0, "per_100k_ci_lower": 0},
    labels={**show.ESTIMATE_LABELS, "population_adults": f"Adults aged {mine['age_range']} (Census 2021)"},
    level=ctx.confidence_level,
    symbols={"–": "no interval: none was published for the rates."},
    notes=[
        f"Adults: persons aged {mine['age_range']}, ONS Census 2021. Counts rounded to the nearest "
        f"{round_to}. Intervals: {mine['interval_method']}."
    ],
)
fig, alt = show.figure_per_100k(comparison, ctx.area.name, has_interval)
report.figure(fig, alt=alt)
report.chart_data(per_100k)

# %% [markdown]
# ## Children living in households with domestic abuse
#
# A published national rate of children living in a household where a parent is experiencing
# domestic abuse, applied to the area's children. It is a national figure applied locally, from a
# different source and year than the adult estimate. It counts children exposed to a parent's
# abuse, not abuse directed at the children themselves. Young people aged 16 and 17 appear both here
# and in the adult estimate (which counts their own experience), so the two figures are not added.

# %%
children_table = report.table(
    show.display_children(children, round_to),
    f"{ctx.area.name}: estimated children aged {children['age_band'].iloc[0]} living in a household where "
    f"a parent is experiencing domestic abuse",
    decimals={"rate_per_1000": 0},
    labels={"estimate": "Estimated children", "population": "Children (Census 2021)", "year": "Year of the rate"},
    notes=[
        children["source"].iloc[0],
        children["note"].iloc[0],
        f"Counts rounded to the nearest {round_to}. No interval was published for the rate.",
    ],
)

# %% [markdown]
# ## Groups who may need specialist support
#
# The safe accommodation duty asks councils to meet the needs of victims with protected and
# specialist characteristics, including through services run "by and for" the communities they
# serve. The national expert steering group's report names the characteristics recorded most often
# among people supported in safe accommodation; the Census then sizes those groups among the area's
# residents. Ethnic group (TS021) and disability (TS038) are what each person, or someone on their
# behalf, answered on Census Day 2021.

# %%
report.markdown(show_groups.specialist_need_text())
resident_groups = group_methods.groups_for_area(ctx.area.code)
report.record(**group_methods.headline_values(resident_groups))
report.markdown(show_groups.describe_groups(resident_groups))
groups_table = report.table(
    show_groups.display_groups(resident_groups),
    show_groups.caption(resident_groups),
    **show_groups.table_arguments(resident_groups),
)
fig, alt = show_groups.figure_groups(resident_groups)
report.figure(fig, alt=alt)
report.chart_data(groups_table)

# %% [markdown]
# ## Deprivation
#
# The English Indices of Deprivation 2019 (MHCLG) score every neighbourhood on income,
# employment, education, health, crime, barriers to housing and services, and living environment.
# MHCLG publishes summaries for districts; the figures for a county or a region here are the
# workspace's own population-weighted means of them, ranked by the workspace among the 152
# upper-tier authorities.

# %%
deprivation_rows = deprivation.deprivation_for_area(ctx.area.code)
report.record(**deprivation.headline_values(deprivation_rows))
report.markdown("\n\n".join(show_deprivation.describe_deprivation(deprivation_rows)))
report.table(
    show_deprivation.display_deprivation(deprivation_rows),
    show_deprivation.caption(deprivation_rows),
    decimals={show_deprivation.SCORE_COLUMN: 1},
    notes=show_deprivation.table_notes(deprivation_rows),
)

# %% [markdown]
# ## What these figures mean and do not mean
#
# - They estimate how many adults in the area would have experienced domestic abuse in a year **if
#   national crime survey rates applied locally**. Differences between areas mostly reflect age and
#   sex structure, not local risk; local drivers (deprivation, housing, services) are not in them.
# - The crime survey covers people living in **private households** only: people in refuges,
#   hostels, care homes, student halls or prisons, and people who are homeless, are not covered,
#   and these groups include some of those most affected.
# - Survey rates count people who **disclosed** abuse in a confidential self-completion module;
#   abuse not recognised or not disclosed is missed, so the rates may be underestimates.
# - They are **not** a count of people needing safe accommodation, which depends on risk, housing
#   and support circumstances. Use them to size the population affected, alongside local referral
#   and service data.
# - Estimates from different survey years or measure versions are not comparable: ONS changed its
#   questions (the 2024+ measure), its age range (16-59, 16-74, then 16+), and YE Mar 2022 and YE Mar
#   2023 are based on shortened fieldwork.

# %% [markdown]
# ## Sources

# %%
report.sources(
    list(dict.fromkeys([*rates["source_id"], *women_rates["source_id"]]))
    + ["census2021_ts009_ltla21_sya", "ltla22_utla22_lookup", "children_rates_authored"]
    + show_groups.source_ids()
    + show_deprivation.source_ids(),
    extra=[
        f"Crime survey rate ({show.describe_rate(m, s, a)}, {y}): {src}"
        for frame in (rates, women_rates)
        for m, s, a, y, src in zip(
            frame["measure"], frame["sex"], frame["age_band"], frame["survey_year"], frame["source"]
        )
    ]
    + [
        f"Children's rate: {children['source'].iloc[0]}",
        f"Specialist characteristics in safe accommodation: {config.SPECIALIST_CHARACTERISTICS_CITATION}.",
    ],
)

# %% [markdown]
# ## Methods, assumptions and caveats

# %%
report.caveats(
    [
        f"Method: synthetic estimate = sum over groups of the national (England and Wales) CSEW {mine['survey_year']} "
        f"rate x the area's ONS Census 2021 population in the group; breakdown: {show.describe_breakdown(mine)}. "
        "The finest complete breakdown the published rates allow is used: sex and age band, else sex, else age band, "
        "else all adults; bands that leave gaps in the survey's age range are not used.",
        f"Measure: {labels.value('measure', mine['measure']).lower()} (adults who "
        f"{show.describe_measure(mine['measure'])}), {mine['measure_version']} version "
        "only; the pre-2024 and 2024+ measures are never mixed in one estimate.",
        f"Uncertainty: {mine['interval_method']}. Population estimates are treated as exact.",
        show.POPULATION_NOTE,
        "By sex and age band: each row carries its group's published rate; where that group is wider than the "
        "row, the row shows the area's age structure, not a rate for that age (no rate by age is derived).",
        f"Women's partner abuse by age band: the published {women_by_age['survey_year'].iloc[0]} rates for women "
        "of each age band; a different measure and year from the headline, not added to it.",
        f"Vintages differ: {mine['survey_year']} survey rates applied to the Census 2021 population (21 March "
        "2021); the children's rate is for "
        f"{int(children['year'].iloc[0])}.",
        *[
            f"Note on the rate for {show.describe_rate(None, s, a)}: {n}"
            for s, a, n in zip(rates["sex"], rates["age_band"], rates["notes"])
            if n
        ],
        "Private households only; people in refuges and other communal or temporary accommodation are not covered.",
        "Groups who may need specialist support: Census 2021 (21 March 2021) counts of usual residents, TS021 ethnic "
        "group and TS038 disability, summed from districts; shares of all usual residents in the same table, no "
        "interval (a census, not a sample). They size resident groups, not victims or need; the steering group's "
        f"figures are for individuals supported in safe accommodation in England in "
        f"{config.SPECIALIST_CHARACTERISTICS_YEAR}, a different population and year.",
        f"Deprivation: IoD 2019 {deprivation_rows['index_domain'].iloc[0]} average score; for an upper-tier "
        f"authority, region or England {deprivation.COMPUTED_BY}. An area average, not the deprivation of victims.",
    ]
)

# %% [markdown]
# ## Reproduce

# %%
report.reproduce(ctx)
