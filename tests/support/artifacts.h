#pragma once

// Test artifacts (access logs, state databases) are kept under $HOME/artifacts (the build tree's test home) after
// the test ends, so that the secret_scan test at the end of the run can check that no key material reached them.

#include <QDir>
#include <QString>

namespace gemgate::test {

// A QTemporaryDir template under $HOME/artifacts; the caller turns auto-removal off.
inline QString artifactTemplate(const QString& prefix) {
    const QString root = QDir::homePath() + QStringLiteral("/artifacts");
    QDir().mkpath(root);
    return root + QLatin1Char('/') + prefix + QStringLiteral("-XXXXXX");
}

} // namespace gemgate::test
