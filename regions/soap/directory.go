package soap

import (
	"context"
	"slices"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"golang.org/x/sync/singleflight"

	"github.com/fedhealth/federation/contracts"
)

// Why a cache: a region's directory (its organisations, their posts and
// practitioners) changes about once a day, while citizens' searches come
// many a second, and every search without a facility starts from the
// organisations. Five minutes keeps a new organisation or post waiting at
// most that long and takes the directory off the MIS's load. The caches
// are bounded (an LRU per method) so that a stream of odd post codes or
// OIDs cannot grow them; a failed call is never cached.
const (
	directoryTTL = 5 * time.Minute
	// organisationsCacheSize bounds the GetMOInfoExtended answers kept, one
	// per post code ("" is every organisation): the federal directory has
	// a few hundred specialties.
	organisationsCacheSize = 512
	// postsCacheSize bounds the GetServicePostSpecsInfo answers kept, one
	// per organisation: a region has at most some thousand.
	postsCacheSize = 2048
)

// directory holds the cached directory answers of one region.
type directory struct {
	organisations *expirable.LRU[string, []MOInfo]
	posts         *expirable.LRU[string, []ServicePost]
	// fetching makes the searches that find the cache cold at once share
	// one GetMOInfoExtended call per post code instead of each making it.
	fetching *singleflight.Group
}

func newDirectory() directory {
	return directory{
		organisations: expirable.NewLRU[string, []MOInfo](organisationsCacheSize, nil, directoryTTL),
		posts:         expirable.NewLRU[string, []ServicePost](postsCacheSize, nil, directoryTTL),
		fetching:      &singleflight.Group{},
	}
}

// Organisations lists the region's medical organisations that take
// appointments (GetMOInfoExtended, Booking_Type APPOINTMENT); with a
// postCode, only those with that post. Answers are cached for five
// minutes per postCode. An organisation without MO_OID breaks the
// protocol: it could be neither searched nor booked.
func (c *Client) Organisations(ctx context.Context, postCode string) ([]MOInfo, error) {
	if mos, ok := c.dir.organisations.Get(postCode); ok {
		return slices.Clone(mos), nil
	}
	// Shared by the searches waiting on it, so no one caller's cancel ends
	// it; each attempt is bounded by the client's call timeout.
	v, err, _ := c.dir.fetching.Do(postCode, func() (any, error) {
		var resp GetMOInfoExtendedResponse
		req := &GetMOInfoExtendedRequest{PostCode: postCode, BookingType: BookingTypeAppointment}
		if err := c.call(context.WithoutCancel(ctx), MethodGetMOInfoExtended, false, req, &resp); err != nil {
			return nil, err
		}
		for _, mo := range resp.MOs {
			if mo.OID == "" {
				return nil, c.errorf(MethodGetMOInfoExtended, "an organisation without MO_OID: %w", contracts.ErrRegionUnavailable)
			}
		}
		c.dir.organisations.Add(postCode, resp.MOs)
		return resp.MOs, nil
	})
	if err != nil {
		return nil, err
	}
	return slices.Clone(v.([]MOInfo)), nil
}

// Posts lists the posts (specialties) of the organisation moOID with their
// resources (GetServicePostSpecsInfo), cached for five minutes per
// organisation. An organisation the MIS does not know is ErrNotFound.
func (c *Client) Posts(ctx context.Context, moOID string) ([]ServicePost, error) {
	if moOID == "" {
		return nil, c.errorf(MethodGetServicePostSpecsInfo, "organisation OID required: %w", contracts.ErrInvalid)
	}
	if posts, ok := c.dir.posts.Get(moOID); ok {
		return clonePosts(posts), nil
	}
	var resp GetServicePostSpecsInfoResponse
	if err := c.call(ctx, MethodGetServicePostSpecsInfo, false, &GetServicePostSpecsInfoRequest{MOOID: moOID}, &resp); err != nil {
		return nil, err
	}
	for _, p := range resp.Posts {
		if p.Code == "" {
			return nil, c.errorf(MethodGetServicePostSpecsInfo, "a post without Post_Code: %w", contracts.ErrRegionUnavailable)
		}
	}
	c.dir.posts.Add(moOID, resp.Posts)
	return clonePosts(resp.Posts), nil
}

// clonePosts copies posts down to their resources, so a caller cannot
// change the cached answer.
func clonePosts(posts []ServicePost) []ServicePost {
	out := slices.Clone(posts)
	for i := range out {
		out[i].Resources = slices.Clone(out[i].Resources)
	}
	return out
}
