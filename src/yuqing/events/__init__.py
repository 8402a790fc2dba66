"""Events: items grouped online, in time order, into happenings (DESIGN §8)."""
