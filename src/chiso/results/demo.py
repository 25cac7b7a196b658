"""Demo data of the results app: the DDCI of the communes for 2025, so that the demo shows a
ranking and scorecards across the 2025 reform (each commune compared with the former district
it came from). Values are synthetic, made the same way as the indices demo's.
"""

from chiso.frameworks.models import Framework
from chiso.frameworks.queries import framework_version_for
from chiso.indices import demo as indices_demo
from chiso.indices.models import IndexRun
from chiso.indices.services import run_create, run_publish
from chiso.units.models import Block, Period

# (framework code, block code, period code)
DEMO_RUNS = [("DDCI-XA", "commune", "2025")]


def load() -> None:
    for code, block_code, period_code in DEMO_RUNS:
        framework = Framework.objects.filter(code=code).first()
        block = Block.objects.filter(code=block_code).first()
        period = Period.objects.filter(code=period_code).first()
        if framework is None or block is None or period is None:
            continue
        if IndexRun.objects.filter(version__framework=framework, period=period, block=block).exists():
            continue  # a second demo load changes nothing, and never publishes over someone's run
        version = framework_version_for(framework, period, block)  # the one that applies to the year
        if version is None:
            continue
        indices_demo._synthetic_values(version, period, block)  # the same synthetic recipe and seeds
        run_publish(run=run_create(version=version, period=period, block=block, by=None), by=None)
