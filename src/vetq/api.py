"""The JSON API under /api/, with its OpenAPI document at /api/openapi.json.

Every endpoint needs a signed-in session or a bearer token and reads through the same
scoping module as the pages.
"""

from ninja import NinjaAPI

from vetq.api_auth import SessionAuth, TokenAuth
from vetq.applications.api import router as applications_router
from vetq.funding.api import router as funding_router
from vetq.institutions.api import router as institutions_router
from vetq.programs.api import router as programs_router
from vetq.projects.api import router as projects_router
from vetq.projects.api_checks import router as checks_router
from vetq.projects.api_evaluations import router as evaluations_router
from vetq.projects.api_reports import router as reports_router
from vetq.reports.api import router as quality_reports_router
from vetq.reviews.api import router as reviews_router
from vetq.surveys.api_data import router as survey_data_router
from vetq.surveys.api_employment import router as employment_router
from vetq.surveys.api_metrics import router as survey_metrics_router

api = NinjaAPI(
    title="vetq API",
    version="1",
    description="Programs, categories, regions, institutions and majors, scoped to the caller.",
    auth=[SessionAuth(), TokenAuth()],
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("/", programs_router)
api.add_router("/", institutions_router)
api.add_router("/", applications_router)
api.add_router("/", funding_router)
api.add_router("/", reviews_router)
api.add_router("/", projects_router)
api.add_router("/", evaluations_router)
api.add_router("/", survey_metrics_router)
api.add_router("/", checks_router)
api.add_router("/", reports_router)
api.add_router("/", quality_reports_router)
api.add_router("/", survey_data_router)
api.add_router("/", employment_router)
