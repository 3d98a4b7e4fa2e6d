"""Plans: types, features, catalogs (included / excluded games, new releases), prices per region
and period, price changes for existing subscribers, catalog removals with their notice."""
