// swift-tools-version: 6.1
import PackageDescription

let strictSwift6: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "roost",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "roost", targets: ["roost"]),
        .executable(name: "roost-bench", targets: ["roost-bench"]),
        .library(name: "KubeModel", targets: ["KubeModel"]),
        .library(name: "KubeMachinery", targets: ["KubeMachinery"]),
        .library(name: "KubeClient", targets: ["KubeClient"]),
        .library(name: "KubeRuntime", targets: ["KubeRuntime"]),
        .library(name: "KubeSim", targets: ["KubeSim"]),
        .library(name: "Roost", targets: ["Roost"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "KubeModel",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strictSwift6
        ),
        .target(
            name: "KubeMachinery",
            dependencies: ["KubeModel"],
            swiftSettings: strictSwift6
        ),
        .target(
            name: "KubeClient",
            dependencies: [
                "CCurl",
                "KubeModel",
                "KubeMachinery",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSwift6
        ),
        .target(
            name: "KubeRuntime",
            dependencies: [
                "KubeClient",
                "KubeModel",
                "KubeMachinery",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSwift6
        ),
        .target(
            name: "KubeSim",
            dependencies: [
                "KubeModel",
                "KubeMachinery",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSwift6
        ),
        .target(
            name: "Roost",
            dependencies: [
                "KubeModel",
                "KubeMachinery",
                "KubeClient",
                "KubeRuntime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSwift6
        ),
        .target(
            name: "RoostDemo",
            dependencies: [
                "Roost",
                "KubeSim",
                "KubeClient",
                "KubeRuntime",
                "KubeModel",
                "KubeMachinery",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift6
        ),
        .executableTarget(
            name: "roost",
            dependencies: [
                "KubeSim",
                "Roost",
                "RoostDemo",
                "KubeClient",
                "KubeRuntime",
                "KubeModel",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift6
        ),
        .executableTarget(
            name: "roost-bench",
            dependencies: [
                "KubeSim",
                "Roost",
                "RoostDemo",
                .product(name: "Logging", package: "swift-log"),
                "KubeClient",
                "KubeRuntime",
                "KubeModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "RoostTests",
            dependencies: ["Roost", "RoostDemo", "KubeModel", "KubeMachinery", "KubeRuntime", "KubeClient", "KubeSim"],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["Roost", "RoostDemo", "KubeModel", "KubeRuntime", "KubeClient", "KubeSim"],
            swiftSettings: strictSwift6
        ),
        .testTarget(name: "KubeModelTests", dependencies: ["KubeModel"], swiftSettings: strictSwift6),
        .testTarget(name: "KubeMachineryTests", dependencies: ["KubeMachinery"], swiftSettings: strictSwift6),
        .testTarget(
            name: "KubeRuntimeTests",
            dependencies: [
                "KubeRuntime", "KubeClient", "KubeSim", "KubeModel",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "KubeClientTests",
            dependencies: [
                "KubeClient", "KubeSim", "KubeModel",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "KubeSimTests",
            dependencies: ["KubeSim", "KubeModel", "KubeMachinery"],
            exclude: ["Fixtures"],
            swiftSettings: strictSwift6
        ),
    ]
)
