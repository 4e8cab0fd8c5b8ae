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
from vetq.reviews.api import router as reviews_router

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
