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
# # Refuge demand versus supply (researcher notes)
#
# **What it does.** For one upper-tier authority (or London as a whole) it sets the refuge places
# the Council of Europe standard asks for (one family place per 10,000 population) against the
# places the council has, by Part 4 accommodation type; shows referrals with Wilson intervals;
# sets England's Part 4 figures per head beside them as an expected-demand benchmark; shows the
# **local demand** every authority has in MHCLG's statutory homelessness tables (households owed a
# duty because of domestic abuse: the year with its interval, the trend since 2018-19 with its
# region and England, the deprivation-expected comparison; households moving on from a refuge);
# sets expected demand, observed demand, the standard's requirement and local supply side by
# side; compares the area with its region and England per 100,000; and lists the local data that
# would complete the picture, with the figures of the council's Part 4 annual return that it
# has added (each table filled, and the categories not filled yet). For Hampshire it back-tests the homelessness sums against the
# council's strategy. The logic is in `analysis.methods.supply`, `analysis.methods.homelessness`,
# `analysis.methods.homelessness_model`, `analysis.methods.homelessness_demand` and
# `analysis.data.local_data`; this notebook only tells the story.
#
# **Local data.** Put the council's aggregate counts in `data/raw/local/<area_code>/supply.csv`
# and `referrals.csv` (README: "Refuge demand and supply: the standard, local data schema and
# method"), and its Part 4 return in the `part4_*.csv` files `analysis local template AREA`
# writes there (docs/local-data.md). Without them the notebook shows the standard-based figures alone. Hampshire
# (E10000014) and Southampton (E06000045, referrals only) ship as worked examples.
#
# **Parameters** (next cell): `area`; `standard_per_10k` (places per 10,000 people, for
# sensitivity: 1 is the standard); `refuge_share` (scenario: share of people needing safe
# accommodation who need refuge; default 0.44, England 2022-23); `demand_year` (Part 4 year of
# England's figures); `homelessness_year` (financial year of the homelessness figures, e.g.
# `2023-24`; `latest` = the latest with four published quarters, checked before any kernel starts);
# `confidence_level`.
#
# **Run it** from JupyterLab, or headless:
# `papermill notebooks/02_refuge_demand_supply.ipynb out.ipynb -k analysis -p area E06000046`,
# or `analysis batch --area E06000046 --notebooks 02_refuge_demand_supply`.

# %% tags=["parameters"]
area: str = "E10000014"  # authority code or name (default: Hampshire)
standard_per_10k: float = 1.0  # refuge places required per 10,000 population (Council of Europe 2008: 1); > 0
refuge_share: float = 0.44  # scenario: share needing refuge rather than other types (England 2022-23: 0.44); 0 to 1
demand_year: str = "2022-23"  # Part 4 year of England's figures for expected demand: 2022-23, 2023-24 or 2024-25
homelessness_year: str = "latest"  # financial year of the homelessness figures, e.g. "2023-24", or "latest"
confidence_level: float = 0.95  # two-sided confidence level for intervals, between 0 and 1

# %%
from analysis import config
from analysis.data import local_data
from analysis.methods import council_data, homelessness, homelessness_demand, supply
from analysis.present import council_data as council_text
from analysis.present import homelessness as local_words
from analysis.present import labels, report
from analysis.present import supply as show

ctx = report.start(
    "02_refuge_demand_supply",
    area,
    confidence_level,
    levels=("utla", "region"),
    standard_per_10k=standard_per_10k,
    refuge_share=refuge_share,
    demand_year=demand_year,
    homelessness_year=homelessness_year,
)
result = supply.assess(ctx.area, standard_per_10k, refuge_share, demand_year, ctx.confidence_level)
year = homelessness_demand.check_year_parameter(homelessness_year)
report.title(ctx)

# %% [markdown]
# ## Headline

# %%
figures = homelessness_demand.year_figures(ctx.area.code, year, ctx.confidence_level)
report.headline(
    show.headline(ctx.area.name, result.gap, result.supply_period) + " " + show.demand_headline(ctx.area, figures)
)
report.record(**result.records())

# %% [markdown]
# The standard is a minimum for planning, not a measure of need: it counts refuge family places
# (a bedspace is a unit for one victim and their children) per head of the whole population.
# Refuges work as a national network, so places in an area also serve people from elsewhere, and
# residents use refuges elsewhere.

# %% [markdown]
# ## Places against the standard, by accommodation type

# %%
gap = result.gap
summary = [
    ("Population (ONS Census 2021)", report.format_number(gap["population"])),
    ("Standard (refuge places per 10,000 people)", report.format_number(gap["standard_per_10k"], 2)),
    ("Refuge places required", report.format_number(gap["required_places"], 1)),
    (
        "Refuge places available (refuge and specialist refuge bedspaces)",
        "no local data"
        if gap["available_places"] is None
        else f"{report.format_number(gap['available_places'])} ({result.supply_period})",
    ),
    (
        "Shortfall (places; negative = above the standard)",
        "not known" if gap["shortfall_places"] is None else report.format_number(gap["shortfall_places"], 1),
    ),
    (
        "Shortfall (% of required places)",
        "not known" if gap["shortfall_pct"] is None else report.format_number(gap["shortfall_pct"], 1),
    ),
    (
        "Places per 100,000 people (standard: " + report.format_number(gap["standard_places_per_100k"], 1) + ")",
        "not known" if gap["places_per_100k"] is None else report.format_number(gap["places_per_100k"], 2),
    ),
]
import pandas as pd

_ = report.table(
    pd.DataFrame(summary, columns=["measure", "value"]),
    f"{ctx.area.name}: refuge places against the Council of Europe standard",
    labels={"measure": "Measure", "value": "Value"},
)

# %%
by_type = result.by_type
if not result.local.has_supply:
    report.markdown(
        f"The council has not supplied its supply figures for {ctx.area.name}, so places by type cannot be "
        "counted: a file of bedspaces by accommodation type and provider would add them."
    )

# %%
type_table = by_type[
    [
        "type_label",
        "counted_in_standard",
        "properties",
        "bedspaces",
        "child_spaces",
        "accessible_bedspaces",
        "places_per_100k",
        "england_places_per_100k",
        "status",
    ]
].rename(
    columns={
        "type_label": "accommodation type",
        "counted_in_standard": "counts towards the standard",
        "places_per_100k": "bedspaces per 100,000",
        "england_places_per_100k": "England commissioned per 100,000",
    }
)
type_table["counts towards the standard"] = type_table["counts towards the standard"].map({True: "yes", False: "no"})
by_type_table = report.table(
    type_table,
    f"{ctx.area.name}: places by accommodation type"
    + (f" ({result.supply_period})" if result.supply_period else " (no local data)"),
    decimals={"bedspaces per 100,000": 2, "England commissioned per 100,000": 2},
    labels={"status": "What the council's figures say"},
    notes=[
        "England: Part 4 commissioned places 2022-23 (national expert steering group report) per "
        "100,000 of England's Census 2021 population. 'none' = stated as none."
    ],
    symbols={"–": "not stated in the council's figures.", "no data": "no row for this type in the council's figures."},
)
if result.local.has_supply:
    fig, alt = show.figure_places_by_type(result)
    report.figure(fig, alt=alt)
    report.chart_data(by_type_table)
    counts = ["properties", "bedspaces", "child_spaces", "accessible_bedspaces"]
    rows = result.local.supply.astype(dict.fromkeys(counts, float))
    _ = report.table(
        rows[["period", "accommodation_type", "provider", *counts, "restrictions", "notes"]],
        f"{ctx.area.name}: supply as given in the council's figures",
        symbols={"–": "not stated in the council's figures."},
    )

# %% [markdown]
# Only refuge and specialist refuge bedspaces count towards the standard. Dispersed, second stage
# and sanctuary places meet other needs and are shown beside it; a type with no stated count is
# missing information, not zero.

# %% [markdown]
# ## Referrals

# %%
shares = result.shares
if len(shares):
    shown = shares.assign(count=shares["count"].astype(float), base_count=shares["base_count"].astype(float))
    referrals_table = report.table(
        shown[["label", "count", "base_count", "percent", "ci_lower", "ci_upper", "percent_basis", "rank", "interval"]],
        f"{ctx.area.name}: referrals to safe accommodation, as given in the council's figures",
        count_columns=["count", "base_count"],
        derived_columns=["percent", "ci_lower", "ci_upper", "percent_basis"],
        decimals={"percent": 1, "ci_lower": 1},
        labels={
            "label": "Referrals",
            "count": "Number",
            "base_count": "Out of",
            "percent": "Share (%)",
            "percent_basis": "Share of",
            "rank": "Rank among reasons",
            "interval": "About the interval",
        },
        intervals={"{level} confidence interval of the share (%)": ("ci_lower", "ci_upper")},
        level=ctx.confidence_level,
        notes=[
            f"Intervals: Wilson score, {ctx.confidence_level:.0%}, where the council gives both "
            "counts. Percentages a source printed without counts are shown as printed, "
            "with no interval."
        ],
        symbols={"–": "not given by the source, or no interval (see the last column)."},
    )
    shares_figure = show.figure_referral_shares(result)  # leaves out any row the table suppressed
    if shares_figure is not None:
        report.figure(shares_figure[0], alt=shares_figure[1])
        report.chart_data(referrals_table)
else:
    report.markdown(
        f"The council has not supplied referral figures for {ctx.area.name}: received, accepted and "
        "declined referrals, reasons, cross-boundary referrals and risk levels would complete this section."
    )

# %% [markdown]
# Where a source printed a percentage without the number of referrals received, no denominator is
# invented and no interval is drawn. A share of referrals from outside the area measures
# cross-boundary flows: refuges take people who need to move away from where they were abused.

# %% [markdown]
# ## Expected demand from national rates

# %%
expected = result.expected
report.table(
    expected[["label", "england_count", "england_rate_per_100k", "expected_in_area", "basis"]].rename(
        columns={
            "england_count": "England count",
            "england_rate_per_100k": "England per 100,000",
            "expected_in_area": f"expected in {ctx.area.name} per year",
        }
    ),
    f"Expected yearly demand in {ctx.area.name} at England's {demand_year} rates (a benchmark)",
    decimals={"England per 100,000": 1},
    labels={"label": "Measure"},
    notes=[
        f"England's Part 4 counts divided by England's Census 2021 population "
        f"({report.format_number(result.england_population)}) and applied to the area's Census 2021 population. "
        "Assumes the area's need per head equals England's."
    ],
)
benchmark = result.benchmark
shown_benchmark = benchmark.rename(
    columns={"expected_per_year": "expected per year", "local_count": "local count", "local_period": "local period"}
)
_ = report.table(
    shown_benchmark,
    f"{ctx.area.name}: own referral counts beside the benchmark",
    count_columns=["local count"],
    symbols={"–": "no count in the council's figures."},
)

# %% [markdown]
# The benchmark is England's per-head rate, not a forecast. Individuals supported count adults
# and children; households not supported are instances (a household can be turned away more than
# once); a council's referral figures may cover refuge only, and a refuge's referrals include
# people from other areas.

# %% [markdown]
# ## Local demand: households owed a homelessness duty because of domestic abuse
#
# Every council reports to MHCLG each quarter the households it owed a homelessness prevention or
# relief duty, why they lost (or were losing) their home, and where they were living when they
# applied. These are the one local, observed measure of domestic abuse demand published for every
# authority. They count households, not people, and only those who came to the council.

# %%
report.markdown(local_words.headline(ctx.area, year, ctx.confidence_level))
shown_figures = report.table(
    show.year_figures_table(figures),
    f"{ctx.area.name}, its region and England, {year}: households owed a homelessness duty (MHCLG)",
    count_columns=["households"],
    derived_columns=["per 100,000 residents", "interval from", "interval to"],
    decimals={"per 100,000 residents": 1, "interval from": 1},
    level=ctx.confidence_level,
    notes=[
        f"{local_words.SOURCE}, {year} (tables A2/A2P+A2R for the reason, A4/A4P+A4R for the "
        "accommodation at application); ONS Census 2021 TS009 residents. Method: the four quarters summed; "
        f"rate = households / residents x 100,000; {ctx.confidence_level:.0%} interval by Byar's method "
        "(exact Poisson below 10). Regions and England are MHCLG's totals (rounded to 10)."
    ],
    symbols={"–": "no figure: a district did not report in a quarter of the year."},
)
report.record(
    homelessness_year=year,
    da_reason_trend=local_words.trend_records(ctx.area),
    **homelessness_demand.records(figures, ctx.area.code),
)

# %% [markdown]
# ### The trend since 2018-19

# %%
fig, alt = local_words.figure_trend(ctx.area)
report.figure(fig, alt=alt, caption=show.trend_caption(ctx.area))
report.chart_data(**local_words.trend_chart_data(ctx.area), level=ctx.confidence_level)
trend_text = local_words.trend_sentence(ctx.area, year)
report.markdown(trend_text or f"No earlier complete year to compare {year} with for {ctx.area.name}.")

# %% [markdown]
# ### Against what deprivation would predict

# %%
model = local_words.model_for_year(year)
report.markdown(" ".join(local_words.model_sentences(ctx.area, model)) + "\n\n" + show.MODEL_MEANS)
fig, alt = local_words.figure_deprivation(ctx.area, model)
report.figure(fig, alt=alt, caption=show.deprivation_caption(model))
report.chart_data(**local_words.deprivation_chart_data(model))
ratio = model.authorities.set_index("area_code")
report.record(
    deprivation_model=model.chosen,
    observed_expected_ratio=float(ratio.loc[ctx.area.code, "ratio"]) if ctx.area.code in ratio.index else None,
)

# %% [markdown]
# ### Households moving on from a refuge

# %%
report.markdown(show.refuge_move_on_sentence(ctx.area, figures, ctx.confidence_level))

# %% [markdown]
# ### Before using these figures

# %%
report.caveats(local_words.caveats(ctx.area, year))

# %%
backtest = local_words.backtest_for(ctx.area)  # only where a seed document gives the council's own figures
if backtest:
    report.markdown(f"### Back-test against {ctx.area.name}'s own figures\n\n" + " ".join(backtest))
report.record(backtest_shown=bool(backtest))

# %% [markdown]
# ## Demand and supply side by side

# %%
panel, panel_notes = show.panel_table(homelessness_demand.demand_panel(result, year, ctx.confidence_level))
_ = report.table(
    panel,
    f"{ctx.area.name}: expected demand, observed homelessness demand, the standard and local supply",
    decimals={"value": 0, "per 100,000 residents": 1},
    notes=panel_notes,
)

# %% [markdown]
# ## The area against its region and England, per 100,000

# %%
comparison = result.comparison
shown_comparison = comparison[
    ["area_name", "places", "period", "population", "places_per_100k", "required_places", "shortfall_pct", "source"]
]
places_table = report.table(
    shown_comparison,
    "Refuge places per 100,000: area, region and England",
    decimals={"places_per_100k": 2, "required_places": 1, "shortfall_pct": 1},
    notes=["Required places per 100,000 equal the standard by definition, so only places are compared."],
    symbols={"–": "no data (never a zero)."},
)
fig, alt = show.figure_places_per_100k(result)
report.figure(fig, alt=alt)
report.chart_data(places_table)

# %% [markdown]
# England's shortfall computed here from the May 2022 count of refuge spaces, on England's Census
# 2021 population, is within 0.1 percentage point of the 23.2% Women's Aid published for 1 May 2022,
# a check on the method; the small difference is the population base (the published figure is
# reproduced exactly with ONS's mid-2020 estimate for England, 56,550,138). Part 4 commissioned refuge
# bedspaces are fewer than all refuge spaces because not every refuge is commissioned under the
# duty.

# %% [markdown]
# ## The council's own records (Part 4 annual return)

# %%
report.markdown(council_text.part4_intro(result.local, ctx.area.name))
for part4_table in council_text.part4_tables(result.local, ctx.area.name):
    report.table(
        part4_table.frame,
        part4_table.caption,
        count_columns=part4_table.count_columns,
        labels=part4_table.labels,
        notes=part4_table.notes,
    )
report.markdown(council_text.part4_missing_text(result.local))
report.record(**council_data.part4_records(result.local))

# %% [markdown]
# ## What is missing from the local data

# %%
missing = [labels.plain(line) for line in council_text.local_data_gaps(result.local)]  # council files in words
report.markdown(
    "\n".join(f"- {line}" for line in missing) if missing else "The local files give every item this notebook uses."
)
report.record(local_data_gaps=missing)  # the summary lists the same gaps

# %% [markdown]
# ## Sources

# %%
report.sources(
    [
        "census2021_ts009_ltla21_sya",
        "safe_accommodation_facts_authored",
        "part4_england_headlines",
        "womens_aid_refuge_headlines",
        "iod2019_lad19_summaries",
        *homelessness.year_source_ids(year),
    ]
    + local_data.manifest_ids(result.local),
    extra=[f"Standard: {config.REFUGE_STANDARD_CITATION}.", local_words.trend_sources_line()]
    + show.local_source_lines(result.local)
    + council_text.part4_source_lines(result.local),
)

# %% [markdown]
# ## Methods, assumptions and caveats

# %%
report.caveats(
    [
        f"Required places = population / 10,000 x {gap['standard_per_10k']:g} (Council of Europe 2008 minimum standard; "
        "the 1975 Select Committee ratio). Shortfall = required - available; shortfall % = shortfall / required.",
        "Available places are refuge and specialist refuge bedspaces in the latest period of the local supply file; "
        "other types are shown beside the standard, not in it. A missing count is reported as missing, never as zero.",
        f"Population: {config.POPULATION_BASE}, on the 2021 districts of the boundaries. The local supply and "
        f"referral periods and the Part 4 year ({demand_year}) differ from Census Day; England per 100,000 uses "
        f"England's Census 2021 population ({report.format_number(result.england_population)}).",
        f"Expected demand applies England's {demand_year} Part 4 counts per head to the area: it assumes the same "
        f"need per head as England. The share needing refuge ({result.scenario['refuge_share']:.0%}) is a scenario "
        "(England 2022-23: 44% of individuals supported were in refuge).",
        "Part 4 figures are management information from local authority returns, not official statistics; "
        "households not supported are counted in instances.",
        "Referral shares carry Wilson score intervals only where counts are given; printed percentages are not "
        "turned into counts.",
        "Refuges are a national network: in England 15% of victims supported in safe accommodation in 2022-23 came "
        "from outside the local authority area (Greater London counted as one area).",
        "No regional refuge counts are available in readable form, so the region shows 'no data'.",
        "Counts of people or households below 5, and values derived from them, are suppressed in tables, "
        "sentences and figures.",
        f"Homelessness figures are for {year}, the financial year chosen for this report (by default the "
        "latest with four published quarters); the trend chart shows every quarter since 2018-19.",
    ]
)

# %% [markdown]
# ## Reproduce

# %%
report.reproduce(ctx)
