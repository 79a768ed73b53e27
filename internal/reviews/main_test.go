package reviews_test

import (
	"os"
	"testing"

	"github.com/monograph-cms/monograph/internal/teststore"
)

// TestMain lets MONOGRAPH_TEST_STORE=ferretdb-server run these tests on the MongoDB adapter.
func TestMain(m *testing.M) { os.Exit(teststore.Main(m)) }
