/// A first-in first-out list of keys; amortised O(1) push and pop.
struct ReadyQueue<Key> {
    private var items: [Key] = []
    private var head = 0

    var count: Int { items.count - head }
    var isEmpty: Bool { head == items.count }

    mutating func push(_ key: Key) {
        items.append(key)
    }

    mutating func pop() -> Key? {
        guard head < items.count else { return nil }
        let key = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 && head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return key
    }

    mutating func removeAll() {
        items.removeAll()
        head = 0
    }
}

/// A binary min-heap of deadlines (seconds), ties broken by insertion order. Entries are never
/// removed in place: the owner marks superseded ones stale with their sequence number.
struct DeadlineHeap<Key> {
    struct Entry {
        var deadline: Double
        var sequence: UInt64
        var key: Key

        func precedes(_ other: Entry) -> Bool {
            (deadline, sequence) < (other.deadline, other.sequence)
        }
    }

    private(set) var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }
    var first: Entry? { entries.first }

    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popFirst() -> Entry? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        let first = entries.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count && entries[left].precedes(entries[smallest]) { smallest = left }
            if right < entries.count && entries[right].precedes(entries[smallest]) { smallest = right }
            if smallest == parent { break }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }

    mutating func removeAll() {
        entries.removeAll()
    }
}
