package mongostore

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// BenchmarkFindOneByID is the embedded store's floor: one round trip to FerretDB reading a
// one-document collection by _id.
func BenchmarkFindOneByID(b *testing.B) {
	s := MustOpenTest(b)
	ctx := context.Background()
	c := s.coll("bench_one")
	if _, err := c.InsertOne(ctx, bson.M{"_id": "x", "v": 1}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := c.FindOne(ctx, bson.M{"_id": "x"}).Err(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReplaceOneByID replaces a small one-document collection's document by _id.
func BenchmarkReplaceOneByID(b *testing.B) {
	s := MustOpenTest(b)
	ctx := context.Background()
	c := s.coll("bench_one")
	if _, err := c.InsertOne(ctx, bson.M{"_id": "x", "v": 1}); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		if _, err := c.ReplaceOne(ctx, bson.M{"_id": "x"}, bson.M{"_id": "x", "v": i}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInsertOne inserts small documents.
func BenchmarkInsertOne(b *testing.B) {
	s := MustOpenTest(b)
	ctx := context.Background()
	c := s.coll("bench_ins")
	i := 0
	for b.Loop() {
		i++
		if _, err := c.InsertOne(ctx, bson.M{"v": i}); err != nil {
			b.Fatal(err)
		}
	}
}
