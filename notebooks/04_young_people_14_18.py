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
# # Young people aged 14-18: scoping notebook (researcher notes)
#
# **What it does.** Scopes need among 14-18 year olds for one upper-tier authority, a region
# or England, as Hampshire's safe accommodation strategy asks (recommendation 7, strategic
# objective 2): the population aged 14 to 18 by single year and by sex, per 100,000 and as a
# share of residents against the region and England; an estimate of 16-18 year olds
# experiencing domestic abuse from the crime survey's youngest band (16-19); a labelled
# **scenario** range for 14-15 year olds from published research on teenage relationship
# abuse; 16-17 year olds owed a homelessness duty (MHCLG H-CLIC tables A6 and A3: the latest
# complete financial year beside the region and England, and a trend with completeness notes);
# refuges' age limits for sons; local facts where the area's strategy supplies them; and the
# evidence gaps left.
#
# **Parameters** (next cell):
# - `area`: upper-tier authority, region or England, by GSS code or name (default Hampshire).
# - `scenario_low_percent`, `scenario_high_percent`: bounds of the 14-15 scenario in percent
#   (0 <= low <= high <= 100). `None` takes the research figures shipped in
#   `data/raw/authored/young_people_research_facts.csv` (rows marked `scenario_bound`).
# - `confidence_level`: two-sided level for intervals (no interval for the 16-19 rate is held in
#   `data/raw`, so none is shown; the parameter is checked and recorded).
#
# **Run it.** In JupyterLab, edit the parameters cell and run all. Headless:
# `papermill notebooks/04_young_people_14_18.ipynb out.ipynb -p area E06000045 -k analysis`.
# The logic lives in `src/analysis/methods/young_people.py`; this notebook only tells the story.

# %% tags=["parameters"]
area: str = "E10000014"  # authority, region or England: GSS code or name (default: Hampshire)
scenario_low_percent: float | None = None  # 14-15 scenario low bound, % (None = shipped research figure)
scenario_high_percent: float | None = None  # 14-15 scenario high bound, % (None = shipped research figure)
confidence_level: float = 0.95  # two-sided confidence level for intervals, between 0 and 1

# %%
from analysis import config
from analysis.methods import homelessness
from analysis.methods import young_people as yp
from analysis.present import report
from analysis.present import young_people as show

overrides = {
    name: value
    for name, value in {
        "scenario_low_percent": scenario_low_percent,
        "scenario_high_percent": scenario_high_percent,
    }.items()
    if value is not None
}
ctx = report.start("04_young_people_14_18", area, confidence_level, **overrides)
scenario = yp.resolve_scenario(scenario_low_percent, scenario_high_percent)
report.title(ctx)

here = ctx.area
rate = yp.youngest_band_rate()
women_rate = yp.youngest_band_rate(sex="female", measure="partner_abuse")
scoping = yp.scoping_table(here.code, scenario, rate)
shares = yp.compare_shares(here)
mine = shares.iloc[0]
england = shares[shares["area_code"] == config.ENGLAND_CODE].iloc[0]
region = shares[(shares["area_code"] != here.code) & (shares["area_code"] != config.ENGLAND_CODE)]
estimate = yp.estimate_16_18(here.code, rate).iloc[0]
women_estimate = yp.estimate_16_18(here.code, women_rate).iloc[0]
young = yp.scenario_14_15(here.code, scenario).iloc[0]
by_sex = yp.population_by_sex(here.code)
sons = yp.sons_in_refuge_context(here)
limits = yp.refuge_son_age_limits(here)
facts = yp.local_facts(here)
fmt = report.format_number

report.record(
    population_14_18=mine["population_14_18"],
    population_16_18=mine["population_16_18"],
    population_14_15=young["population_14_15"],
    estimate_16_18=estimate["estimate"],
    rate_16_19_percent=rate.percent,
    rate_survey_year=rate.survey_year,
    estimate_16_18_female_partner_abuse=women_estimate["estimate"],
    scenario_low_percent=scenario.low_percent,
    scenario_high_percent=scenario.high_percent,
    scenario_basis=scenario.basis,
    scenario_14_15_low=young["scenario_low"] if scenario.available else None,
    scenario_14_15_high=young["scenario_high"] if scenario.available else None,
    share_14_18_percent=mine["share_14_18_percent"],
    per_100k_14_18=mine["per_100k_14_18"],
    region_share_14_18_percent=region["share_14_18_percent"].iloc[0] if len(region) else None,
    england_share_14_18_percent=england["share_14_18_percent"],
    share_15_24_percent=mine["share_15_24_percent"],
    england_share_15_24_percent=england["share_15_24_percent"],
    boys_14_15=float(sons.loc[sons["age"] <= 15, "boys"].sum()),
    boys_16_18=float(sons.loc[sons["age"] >= 16, "boys"].sum()),
    refuge_son_age_limit_area=limits["area"],
    refuge_son_age_limit_typical=limits["typical"],
    scoping_table=scoping.to_dict(orient="records"),
)

# %% [markdown]
# ## Headline

# %%
report.headline(
    f"{here.name} had {fmt(mine['population_14_18'])} young people aged 14-18 at the 2021 Census "
    f"({mine['share_14_18_percent']:.1f}% of residents; England {england['share_14_18_percent']:.1f}%); "
    f"applying the crime survey's 16-19 rate ({rate.percent:g}%), about "
    f"{fmt(estimate['estimate'], -1)} of its {fmt(mine['population_16_18'])} 16-18 year olds may experience "
    "domestic abuse in a year."
)

# %% [markdown]
# ## The legal framing
#
# Under sections 1 and 2 of the Domestic Abuse Act 2021, behaviour is domestic abuse only when both
# people are aged 16 or over and "personally connected" (partners, former partners, relatives or
# people sharing parental responsibility), so 16-18 year olds can be victims in their own right,
# while abuse in under-16s' own relationships, or by an under-16 towards a parent, falls under child
# safeguarding. Section 3 makes any child who sees, hears or experiences the effects of domestic abuse,
# and is related to either person, a victim of domestic abuse in their own right
# ([legislation.gov.uk](https://www.legislation.gov.uk/ukpga/2021/17/part/1)).
#
# This is why the scoping splits at 16: the crime survey estimate applies to 16-18 year olds, and
# 14-15 year olds are shown only as a research-based scenario.

# %% [markdown]
# ## Young people aged 14-18: the scoping table
#
# One row per single year of age and for the age groups. For 16-18 year olds the **estimate** is
# the crime survey's rate for its youngest band (16-19 year olds, year ending March 2020) applied to
# the area's population; no interval for that rate is held (the publication quoted
# printed none), so the range is empty and none is invented. For 14-15
# year olds there is **no estimate**: the range is a **scenario** from research on teenage
# relationship abuse, labelled as such. The 14-18 row shows the population only.

# %%
published = show.round_to(scoping, ["estimate", "range_low", "range_high"])
_ = report.table(
    published.rename(
        columns={
            "age": "Age",
            "population": "Population (Census 2021)",
            "estimate": "Estimate: experiencing domestic abuse in a year",
            "range_low": "Range: low",
            "range_high": "Range: high",
            "basis": "Basis",
        }
    ),
    f"{here.name}: young people aged 14-18, Census 2021 population, 16-18 estimate and 14-15 scenario",
    count_columns=["Population (Census 2021)"],
    derived_columns=["Estimate: experiencing domestic abuse in a year", "Range: low", "Range: high"],
    intervals={"Range (low to high)": ("Range: low", "Range: high")},
    notes=[
        "Estimates and scenario values are rounded to the nearest 10; populations are ONS Census 2021 usual "
        "residents (persons, 21 March 2021).",
        "Range: for 16-18 the published interval of the survey rate (none is held); for 14-15 the "
        "SCENARIO range, which is not a measured prevalence.",
    ],
    symbols={"–": "no figure: no estimate for 14-15 year olds, no range for 16-18 year olds (none published)."},
)

# %% [markdown]
# ## Compared with the region and England
#
# The share of residents aged 14-18, 16-18 and 15-24, and young people per 100,000 residents.
# A higher share means a larger young population for services to plan for; it says nothing by
# itself about how many young people experience abuse.

# %%
comparison = shares.rename(
    columns={
        "area_name": "Area",
        "population_14_18": "Aged 14-18",
        "share_14_18_percent": "Aged 14-18 (% of residents)",
        "per_100k_14_18": "Aged 14-18 per 100,000 residents",
        "population_16_18": "Aged 16-18",
        "share_16_18_percent": "Aged 16-18 (% of residents)",
        "share_15_24_percent": "Aged 15-24 (% of residents)",
        "area_population": "All residents",
    }
)
report.table(
    comparison.drop(columns="area_code"),
    f"{here.name} against its comparators: young people as a share of residents, Census 2021",
    count_columns=["Aged 14-18", "Aged 16-18", "All residents"],
    derived_columns=[
        "Aged 14-18 (% of residents)",
        "Aged 14-18 per 100,000 residents",
        "Aged 16-18 (% of residents)",
        "Aged 15-24 (% of residents)",
    ],
    decimals={"Aged 14-18 (% of residents)": 2, "Aged 16-18 (% of residents)": 2, "Aged 15-24 (% of residents)": 1},
)

fig, alt, caption = show.figure_age_profile(here, shares)
report.figure(fig, alt=alt, caption=caption)
report.chart_data(**show.age_profile_data(shares))

# %%
report.markdown(show.describe_15_24_share(here))

# %% [markdown]
# ## By sex
#
# Census 2021 counts usual residents by sex at every single year of age (ONS table TS009), so the
# female and male counts below are observed for each age, not a share of persons; persons = female +
# male.

# %%
_ = report.table(
    by_sex.drop(columns="sex_basis").rename(
        columns={"age": "Age", "female": "Female", "male": "Male", "persons": "Persons"}
    ),
    f"{here.name}: residents aged 14-18 by sex, Census 2021",
    count_columns=["Female", "Male", "Persons"],
    notes=[f"Women and men: {by_sex['sex_basis'].iloc[0]}.", f"Source: {config.POPULATION_BASE}."],
)

# %% [markdown]
# ## 16-18 year olds: the crime survey estimate
#
# The Crime Survey for England and Wales publishes no figure for 16-18 year olds. Its youngest
# band is 16-19, so its rate is applied to the area's 16-18 year olds: this assumes 16-18 year olds
# experience abuse at the same rate as the whole 16-19 band, and that the area matches England and
# Wales. The survey interviews people in private households (aged 16-74 in the year ending March
# 2020), so young people living in care, supported accommodation, halls or custody are not covered.
# Women's partner abuse at 16-19 (ONS, SDG indicator 5.2.1) is shown for females only, applied to
# the area's females aged 16-18 (Census 2021, observed by sex and age).

# %%
_ = report.table(
    show.round_to(yp.survey_estimates(here.code), ["estimate"]).rename(
        columns={
            "measure": "Measure",
            "who": "Survey group",
            "survey_year": "Survey year",
            "rate_percent": "Rate (%)",
            "applied_to": "Applied to",
            "population": "Population",
            "estimate": "Estimate",
            "interval": "Published interval",
            "source_title": "Source",
        }
    ),
    f"{here.name}: crime survey rates for the youngest band (16-19) applied to 16-18 year olds",
    count_columns=["Population"],
    derived_columns=["Estimate"],
    decimals={"Rate (%)": 1},
    notes=[
        "Estimates are rounded to the nearest 10. Rates are for England and Wales.",
        "No interval is held for these published rates, so none is shown (the report's confidence level, "
        f"{ctx.confidence_level:.0%}, is not applied).",
    ],
)

# %% [markdown]
# ## 16-17 year olds owed a homelessness duty
#
# Housing authorities report every household they assess as homeless or threatened with
# homelessness to MHCLG (H-CLIC). Two of the published tables concern 16-17 year olds: households
# owed a prevention or relief duty whose **main applicant is aged 16-17** (table A6) and those with
# the support need **"young person aged 16-17"** (table A3; a household can have several needs).
# The year is the latest financial year MHCLG has published in full, the same year as the
# homelessness indicators. An authority's figure is the sum of its housing authorities' and is
# shown only when every one of them reported in all four quarters; otherwise the table says which
# authority and quarter are missing. Counts of 1-4 are suppressed.

# %%
homeless_year = homelessness.latest_complete_year()
duties = homelessness.young_people_duties(here.code, homeless_year)
populations_16_17 = {code: yp.group_population(code, 16, 17) for code in duties["area_code"].unique()}
report.record(**show.homelessness_records(duties, here.code, homeless_year))
report.markdown(show.describe_homelessness(duties, here, homeless_year))
rate_column = "Per 1,000 residents aged 16-17"
_ = report.table(
    show.homelessness_year_table(duties, homeless_year, populations_16_17),
    f"{here.name} against its comparators: households owed a homelessness duty involving a 16-17 year old, "
    f"{homeless_year}",
    count_columns=["Households"],
    derived_columns={"Households": [rate_column]},
    decimals={rate_column: 1},
    notes=[
        f"Per 1,000 residents aged 16-17: households in {homeless_year} / Census 2021 residents aged 16-17 "
        "(21 March 2021) x 1,000; the years differ.",
        *show.HOMELESSNESS_CAVEATS,
    ],
)
trend_table = report.table(
    show.homelessness_trend_table(duties, here.code),
    f"{here.name}: households owed a homelessness duty involving a 16-17 year old, each financial year "
    f"{duties['financial_year'].iloc[0]} to {homeless_year}",
    count_columns=list(show.HOMELESSNESS_LABELS.values()),
    notes=[
        "'–' = no figure: the note names the housing authority and quarter that are missing, or says that MHCLG "
        "published no figure (A6 has none for 2019-20 or April-June 2020). A year is never shown from fewer than "
        "four complete quarters."
    ],
)
fig, alt = show.figure_homelessness_trend(duties, here)
report.figure(fig, alt=alt)
report.chart_data(trend_table)

# %% [markdown]
# ## 14-15 year olds: a scenario, not a prevalence
#
# Under-16s' own relationship abuse falls outside the Act's definition and the crime survey does
# not interview them. The range below is a **scenario**: it applies survey figures about 13-17 year
# olds from published research to the area's 14-15 year olds to show a plausible order of
# magnitude. It is not a measured prevalence for this area or this age.

# %%
if scenario.available:
    report.markdown(
        f"**SCENARIO (not a measured prevalence):** if between {scenario.low_percent:g}% and "
        f"{scenario.high_percent:g}% of the {fmt(young['population_14_15'])} 14-15 year olds in {here.name} had "
        f"experienced physical force in a relationship, that would be between {fmt(young['scenario_low'], -1)} "
        f"and {fmt(young['scenario_high'], -1)} young people. Bounds: {scenario.basis}."
    )
else:
    report.markdown(
        "**SCENARIO not available:** no research figures are shipped with the workspace and no scenario "
        "bounds were given for this report, so no scenario range is shown."
    )

research = yp.research_facts()
if len(research):
    shown = research.assign(
        role=research["scenario_bound"]
        .map({"low": "SCENARIO low bound", "high": "SCENARIO high bound"})
        .fillna("context")
    )
    report.table(
        shown[
            [
                "study",
                "population_surveyed",
                "sex",
                "definition",
                "timeframe",
                "denominator",
                "value",
                "role",
                "source_url",
            ]
        ].rename(
            columns={
                "study": "Study",
                "population_surveyed": "Who was surveyed",
                "sex": "Sex",
                "definition": "Definition",
                "timeframe": "Timeframe",
                "denominator": "Denominator",
                "value": "Figure (%)",
                "role": "Use here",
                "source_url": "Page the figure was read on",
            }
        ),
        "Published research on teenage relationship abuse (13-17 year olds), as shipped with its citation",
        notes=[
            "Figures are as printed on the page named; the data download of this report gives each figure's "
            "publication, and the workspace's research facts file its exact quote and section."
        ],
    )

# %% [markdown]
# ## Young people and safe accommodation
#
# Refuges are shared, women-only spaces, and many set an upper age for the sons who can come with
# their mother. Nationally this is usually around 14; where an area's strategy states its own limit,
# it is shown. The table counts **all boys** of each age living in the area (Census 2021, observed
# by sex and age): context for how many families could be affected, not a count of families needing
# safe accommodation.

# %%
report.table(
    sons.rename(
        columns={
            "age": "Age",
            "boys": "Boys living in the area (Census 2021)",
            "above_typical_limit": "Older than the typical refuge limit (about 14)",
            "above_area_limit": "Older than the area's stated refuge limit",
        }
    ),
    f"{here.name}: boys aged 14-18 (context, not need) against refuges' age limits for sons",
    count_columns=["Boys living in the area (Census 2021)"],
    notes=[
        f"Area's stated limit: {fmt(limits['area']) if limits['area'] is not None else 'not supplied'}; "
        f"typical national limit: about {fmt(limits['typical'])} (Hampshire County Council, Domestic Abuse Safe "
        "Accommodation Strategy 2021-2023, section 4, The National Context).",
        "Boys are Census 2021 usual residents (TS009), counted by sex and age (see 'By sex').",
    ],
)

if len(facts):
    report.table(
        facts.rename(
            columns={
                "area_name": "Area",
                "period": "Period",
                "measure": "Measure",
                "value": "Value",
                "unit": "Unit",
                "age_scope": "Ages",
                "quote": "As printed",
                "source_title": "Source",
                "source_section": "Section",
            }
        ).drop(columns=["area_code", "source_document"]),
        f"Facts about young people and safe accommodation supplied for {here.name} and nationally",
        decimals={"Value": 0},
        notes=[
            "Typed in from the councils' strategies and the national steering group's report; periods and "
            "definitions differ from row to row and from the population's date (Census Day, 21 March 2021)."
        ],
    )

# %% [markdown]
# ## Evidence gaps and the local data that would close them
#
# This scoping sizes the age group and gives national rates; it cannot say how many local young
# people need support or safe accommodation. Data that would close the gaps, and who holds it:
#
# - **Child and adolescent to parent violence and abuse (CAPVA):** police-recorded incidents with a
#   suspect under 18 and a parent victim; referrals to CAPVA programmes, youth justice and early help.
# - **Young people's own abuse (16-18):** young people's violence adviser (YPVA) and IDVA caseloads by
#   age; MARAC cases where the victim is 16 or 17; police domestic abuse crimes by victim age.
# - **Children experiencing abuse at home:** children's social care assessments with domestic abuse
#   as a factor (Children in Need census), child protection plans with domestic abuse as a category.
# - **Safe accommodation:** refuge referrals declined because of a son's age (Part 4 annual returns
#   record households not supported for "the age of the children or the size of the family"), and
#   16-17 year olds owed homelessness duties *because of domestic abuse*: the published H-CLIC tables
#   above count 16-17 year olds and domestic abuse separately, never together; the case-level data
#   held by the housing authorities would.
# - **14-15 year olds:** a local schools survey of relationship abuse would replace the scenario.
#
# Councils can add their own counts to the workspace (its README's local data section says how).

# %% [markdown]
# ## Sources

# %%
report.sources(
    [
        "census2021_ts009_ltla21_sya",
        "ltla22_utla22_lookup",
        rate.source_id,
        women_rate.source_id,
        "young_people_research_authored",
        "young_people_local_authored",
        *show.homelessness_source_ids(homeless_year),
    ],
    extra=[
        f"Homelessness trend {duties['financial_year'].iloc[0]} to {homeless_year}: the same MHCLG detailed local "
        "authority tables, one workbook a quarter, tables A6 and A3; first "
        "editions as published each quarter.",
        f"{config.DA_ACT_TITLE}: {config.DA_ACT_URL}.",
        f"Crime survey 16-19 rate: {rate.source_title}, {rate.source_url} (quoted in {rate.source_document}).",
        f"Women's partner abuse 16-19: {women_rate.source_title}, {women_rate.source_url}.",
        "Barter C, McCarry M, Berridge D, Evans K (2009). Partner exploitation and violence in teenage intimate "
        "relationships. NSPCC / University of Bristol.",
        "Youth Endowment Fund (2025). Children, violence and vulnerability 2025. Report 2: Violence in relationships.",
        "Councils' strategies: "
        + "; ".join(title for _, title in sorted(config.SEED_DOCUMENTS.items()) if "Strategy" in title)
        + f"; DLUHC: {config.SEED_DOCUMENTS['004_c65f26b620d78a88.txt']}.",
    ],
)

# %% [markdown]
# ## Methods, assumptions and caveats

# %%
report.caveats(
    [
        f"Population: {config.POPULATION_BASE}, {config.GEOGRAPHY_VINTAGE}. Per 100,000 and shares use the "
        "area's all-age population.",
        "Sex: female and male counts are observed at every single year of age in Census 2021; persons = female + "
        "male. Census cells carry ONS's cell-key perturbation (a few people per cell).",
        f"16-18 estimate = population aged 16-18 x the crime survey's {rate.age_band} rate ({rate.percent:g}%, "
        f"{rate.survey_year}). The band mismatch (16-19 against 16-18) is an assumption, as is applying an England "
        "and Wales rate to one area. The survey covers people in private households aged "
        f"{config.CSEW_AGE_RANGE_YE_MAR_2020} that year: young people in care, supported accommodation or custody are "
        "not covered.",
        "The estimate counts young people experiencing any domestic abuse in a year (partner or family abuse), not "
        "those who need safe accommodation or support.",
        "No interval is held for the published 16-19 rate; none is invented. The report's confidence level "
        "therefore changes nothing in this report.",
        "14-15 scenario: survey figures about 13-17 year olds (Barter et al. 2009: schools in England, Scotland and "
        "Wales; physical force ever experienced in a relationship; the pages do not state whether the denominator is "
        "all pupils or those who had had a relationship) applied to all 14-15 year olds. The boys' and girls' "
        "figures bracket the persons figure. It is a SCENARIO, not a prevalence; the Youth Endowment Fund's 2025 "
        "past-year figures are lower for all teenagers (over one in ten for emotional or physical abuse).",
        "Estimates and scenario values are rounded to the nearest 10 in tables.",
        "Local facts are as printed in the councils' strategies (different periods and definitions), not checked "
        "against service data.",
        f"Homelessness: MHCLG H-CLIC detailed local authority tables, {homeless_year} (the latest financial year "
        "with four published quarters, as for the homelessness indicators) and the years before it; households, "
        "not people. Counts of 1-4, and rates made from them, are suppressed ([c]).",
        *show.HOMELESSNESS_CAVEATS,
    ]
)

# %% [markdown]
# ## Reproduce

# %%
report.reproduce(ctx)
