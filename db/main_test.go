package db_test

import (
	"os"
	"testing"

	"salesdesk/db/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }
