"""Application pages, one module per kind of work: editing (the school), lists (every role's
lists, the region's recommendation queue, the bureau's formal check), printing (申报书)."""
