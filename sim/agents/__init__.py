"""Agent families: households, rescue teams, supply trucks, commands."""
