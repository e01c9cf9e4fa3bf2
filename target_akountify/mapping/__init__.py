"""The field mapping tool: spec model, checks against SCHEMA, transforms and record mapping."""
