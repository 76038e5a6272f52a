import KubeModel
import Roost
import Testing

@Suite struct NodeAgeTests {
    typealias F = Fixture
    let nodes: Set<String> = ["n1", "n2", "n3"]

    @Test func stampsANodeWhenAWorkerIsReadyOnIt() {
        var ages = NodeAge()
        let changes = ages.reconcile(workers: [F.worker("w1", node: "n1", readySince: 500)], nodes: nodes, now: 900)
        #expect(changes == NodeAgeChanges(stamped: ["n1"]))
        #expect(ages.firstSeen("n1") == 500)
        #expect(ages.firstSeen == ["n1": 500])
    }

    @Test func stampIsIdempotent() {
        var ages = NodeAge()
        ages.reconcile(workers: [F.worker("w1", node: "n1", readySince: 500)], nodes: nodes, now: 900)
        // The worker went unready and Ready again (a later transition), and an earlier-Ready worker
        // showed up late: the stamp stays as it was.
        let changes = ages.reconcile(
            workers: [F.worker("w1", node: "n1", readySince: 800), F.worker("w2", node: "n1", readySince: 200)],
            nodes: nodes, now: 1000)
        #expect(changes == NodeAgeChanges())
        #expect(ages.firstSeen("n1") == 500)
    }

    @Test func ignoresWorkersWithoutANodeName() {
        var ages = NodeAge()
        let changes = ages.reconcile(workers: [F.worker("w1", node: "", readySince: 500)], nodes: nodes, now: 900)
        #expect(changes == NodeAgeChanges())
        #expect(ages.firstSeen.isEmpty)
        #expect(ages.firstSeen("") == nil)
    }

    @Test func aWorkerThatIsNotReadyDoesNotStampButKeepsItsNode() {
        var ages = NodeAge()
        ages.reconcile(workers: [F.worker("w1", node: "n2", ready: false)], nodes: nodes, now: 900)
        #expect(ages.firstSeen.isEmpty)
        ages.reconcile(workers: [F.worker("w1", node: "n2", readySince: 950)], nodes: nodes, now: 1000)
        #expect(ages.firstSeen("n2") == 950)
        // The node's only worker turns unready (e.g. the node went NotReady): the entry stays.
        let changes = ages.reconcile(workers: [F.worker("w1", node: "n2", ready: false)], nodes: nodes, now: 1100)
        #expect(changes == NodeAgeChanges())
        #expect(ages.firstSeen("n2") == 950)
    }

    @Test func aReadyWorkerWithoutTransitionTimeIsStampedNow() {
        var ages = NodeAge()
        ages.reconcile(workers: [F.worker("w1", node: "n1", readySince: nil)], nodes: nodes, now: 900)
        #expect(ages.firstSeen("n1") == 900)
    }

    @Test func rebuildTakesTheEarliestReadyTransitionPerNode() {
        let workers = [
            F.worker("a", node: "n1", readySince: 300), F.worker("b", node: "n1", readySince: 100),
            F.worker("c", node: "n2", readySince: 200), F.worker("d", node: "n2", ready: false),
            F.worker("e", node: "n3", readySince: 50, terminating: true), F.worker("f", node: "", readySince: 10),
        ]
        let ages = NodeAge(rebuildingFrom: workers, nodes: nodes, now: 1000)
        #expect(ages.firstSeen == ["n1": 100, "n2": 200])
        // A restarted replica rebuilds what a live one built incrementally from the same workers.
        var live = NodeAge()
        live.reconcile(workers: [workers[1], workers[2]], nodes: nodes, now: 5000)
        live.reconcile(workers: workers, nodes: nodes, now: 6000)
        #expect(live == ages)
    }

    @Test func prunesOnlyWhenNoWorkerRemainsOnTheNode() {
        var ages = NodeAge()
        let a = F.worker("a", node: "n1", readySince: 100)
        let b = F.worker("b", node: "n1", readySince: 200)
        let c = F.worker("c", node: "n2", readySince: 300)
        ages.reconcile(workers: [a, b, c], nodes: nodes, now: 1000)
        let oneLeft = ages.reconcile(workers: [b, c], nodes: nodes, now: 1000)
        #expect(oneLeft == NodeAgeChanges())
        #expect(ages.firstSeen("n1") == 100)
        let noneLeft = ages.reconcile(workers: [c], nodes: nodes, now: 1000)
        #expect(noneLeft == NodeAgeChanges(pruned: ["n1"]))
        #expect(ages.firstSeen == ["n2": 300])
    }

    @Test func prunesOnEveryPathThatRemovesTheLastWorker() throws {
        let stamped = NodeAge(
            rebuildingFrom: [F.worker("a", node: "n1", readySince: 100)], nodes: nodes, now: 1000)
        // Pod deleted: it is gone from the cache.
        var deleted = stamped
        let afterDelete = deleted.reconcile(workers: [], nodes: nodes, now: 1000)
        #expect(afterDelete.pruned == ["n1"])
        // Pod terminating (deletionTimestamp) or finished.
        var terminating = stamped
        let dying = F.worker("a", node: "n1", readySince: 100, terminating: true)
        let afterTermination = terminating.reconcile(workers: [dying], nodes: nodes, now: 1000)
        #expect(afterTermination.pruned == ["n1"])
        // Pod relabelled away from Roost: it no longer reads as a worker.
        var relabelled = stamped
        let pod = CoreV1.Pod(
            metadata: ObjectMeta(name: "a", namespace: F.namespace, labels: ["roost.dev/runtime": "coder"]),
            spec: CoreV1.PodSpec(nodeName: "n1"))
        #expect(WorkerSnapshot(pod: pod) == nil)
        let workers = [pod].compactMap(WorkerSnapshot.init(pod:))
        let afterRelabel = relabelled.reconcile(workers: workers, nodes: nodes, now: 1000)
        #expect(afterRelabel.pruned == ["n1"])
        for ages in [deleted, terminating, relabelled] { #expect(ages.firstSeen.isEmpty) }
    }

    @Test func aDeletedNodeIsForgottenAndNotStampedAgain() {
        var ages = NodeAge()
        let worker = F.worker("a", node: "n1", readySince: 100)
        ages.reconcile(workers: [worker], nodes: nodes, now: 1000)
        let removed = ages.nodeDeleted("n1")
        #expect(removed)
        let removedAgain = ages.nodeDeleted("n1")
        #expect(!removedAgain)
        #expect(ages.firstSeen.isEmpty)
        // Its worker is still in the cache until pod GC removes it: the node stays forgotten.
        let later = ages.reconcile(workers: [worker], nodes: ["n2", "n3"], now: 1100)
        #expect(later == NodeAgeChanges())
        #expect(ages.firstSeen.isEmpty)
    }

    @Test func reconcilePrunesANodeMissingFromTheNodeList() {
        var ages = NodeAge()
        let worker = F.worker("a", node: "n1", readySince: 100)
        ages.reconcile(workers: [worker], nodes: nodes, now: 1000)
        let changes = ages.reconcile(workers: [worker], nodes: ["n2"], now: 1000)
        #expect(changes == NodeAgeChanges(pruned: ["n1"]))
    }

    @Test func aNodeSeenLateInTheCacheIsStampedWithTheWorkersReadyTime() {
        var ages = NodeAge()
        let worker = F.worker("a", node: "n9", readySince: 100)
        ages.reconcile(workers: [worker], nodes: nodes, now: 1000)
        #expect(ages.firstSeen.isEmpty)
        ages.reconcile(workers: [worker], nodes: nodes.union(["n9"]), now: 2000)
        #expect(ages.firstSeen == ["n9": 100])
    }

    @Test func changesListNodesInNameOrder() {
        var ages = NodeAge()
        let changes = ages.reconcile(
            workers: [F.worker("a", node: "n3"), F.worker("b", node: "n1"), F.worker("c", node: "n2")],
            nodes: nodes, now: 0)
        #expect(changes.stamped == ["n1", "n2", "n3"])
        let cleared = ages.reconcile(workers: [], nodes: nodes, now: 0)
        #expect(cleared.pruned == ["n1", "n2", "n3"])
    }
}
