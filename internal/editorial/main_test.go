package editorial_test

import (
	"os"
	"testing"

	"github.com/monograph-cms/monograph/internal/mongostore"
)

// TestMain lets MONOGRAPH_TEST_STORE=ferretdb-server run these tests on the MongoDB layout.
func TestMain(m *testing.M) { os.Exit(mongostore.RunTests(m)) }
