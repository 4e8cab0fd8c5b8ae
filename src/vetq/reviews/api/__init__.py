"""The review API: the pool, draws and panels, experts' reviews, selection and publicity."""

from ninja import Router

from . import draws, pool, reviewing, selection

router = Router()
router.add_router("/", pool.router)
router.add_router("/", draws.router)
router.add_router("/", reviewing.router)
router.add_router("/", selection.router)
