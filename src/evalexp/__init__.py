"""evalexp: evaluate randomised experiments of youth-employment support.

The pipeline reads top to bottom: load -> cohort -> analysis -> results -> report::

    import evalexp as ee
    plan = ee.load_plan("data/synthetic/agir_demo.toml")
    cohort = ee.load_cohort("data/synthetic/agir_demo.csv", plan)
    results = ee.analyze(cohort, plan)
    results.to_dict()          # CONTRACT.md section 4
"""
__version__ = "0.1.0"
