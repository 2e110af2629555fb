package db

// MigrationCount is how many migrations there are: versions are assigned per
// piece of work, so they may leave gaps and the highest is not the count.
var MigrationCount = len(migrations)
