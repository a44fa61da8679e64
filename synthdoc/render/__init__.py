"""Shaping (HarfBuzz), rasterisation (FreeType) and compositing of text."""
