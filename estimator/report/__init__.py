"""Renderers: each turns a Result into text. They format; they compute nothing."""
