package mongostore

import "go.mongodb.org/mongo-driver/v2/mongo"

// Collection returns a collection of the store's database through the driver. It exists for
// tests that must reach under the services, e.g. to alter a stored audit event and check that
// `monograph audit verify` notices, or to drop a test database; product code goes through
// the Store's methods.
func (s *Store) Collection(name string) *mongo.Collection { return s.coll(name) }
