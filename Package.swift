// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "ai4sci-bench",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "AI4SciBench", targets: ["AI4SciBench"]),
        .executable(name: "ai4sci-bench", targets: ["ai4sci-bench"]),
        .executable(name: "ai4sci-sandbox-exec", targets: ["SandboxExec"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CSeccomp",
            pkgConfig: "libseccomp",
            providers: [.apt(["libseccomp-dev"])]
        ),
        // The launcher: the only code that runs between fork and exec of an agent.
        .executableTarget(
            name: "SandboxExec",
            path: "Sources/SandboxExec"
        ),
        .target(
            name: "AI4SciBench",
            dependencies: [
                "CSeccomp",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        .executableTarget(
            name: "ai4sci-bench",
            dependencies: [
                "AI4SciBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "AI4SciBenchTests",
            dependencies: ["AI4SciBench"],
            resources: [.copy("Fixtures")]
        ),
    ]
)

for target in package.targets where target.type != .system && target.name != "SandboxExec" {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    target.swiftSettings = settings
}
