"""The catalogue: accelerators and model architectures, shipped data plus the user's additions."""

from serving_math.catalog.loader import Catalog, load_catalog
from serving_math.catalog.schema import Accelerator, ModelArch

__all__ = ["Accelerator", "Catalog", "ModelArch", "load_catalog"]
