// UsageScanner: token usage found in every framing Gemini uses (one JSON object, SSE, streamed JSON array),
// whatever way the body is cut into feeds; last snapshot wins; look-alikes inside strings are not captured.

#include "gemini/usagescanner.h"

#include <QRandomGenerator>
#include <QTest>

using namespace gemgate;

class TestUsageScanner : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void wholeBody_data();
    void wholeBody();
    void byteAtATime_data();
    void byteAtATime();
    void randomSplits_data();
    void randomSplits();
    void keyAndObjectSplitAcrossFeeds_data();
    void keyAndObjectSplitAcrossFeeds();
    void candidatesAndFinishReason_data();
    void candidatesAndFinishReason();
    void hugeBodyWithoutUsage();
    void oversizedUsageObjectIsDropped();
    void sseLinesEndAtCrlfLfOrCr_data();
    void sseLinesEndAtCrlfLfOrCr();
    void sseEventEndAcrossChunks_data();
    void sseEventEndAcrossChunks();
};

namespace {

struct Expected {
    qint64 prompt = 0;
    qint64 cached = 0;
    qint64 candidates = 0;
    qint64 thoughts = 0;
    qint64 total = 0;
    bool seen = false;
};

const QByteArray kPlainJson = QByteArrayLiteral(
    R"({"candidates": [{"content": {"parts": [{"text": "Hello there"}], "role": "model"}, "finishReason": "STOP",)"
    R"( "index": 0}], "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 7,)"
    R"( "totalTokenCount": 19}, "modelVersion": "gemini-2.0-flash"})");

// Three running snapshots: a summing scanner would report prompt 36.
const QByteArray kSse = QByteArrayLiteral(
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hel\"}],\"role\": \"model\"}}],"
    "\"usageMetadata\": {\"promptTokenCount\": 12,\"totalTokenCount\": 12}}\r\n\r\n"
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"lo\"}],\"role\": \"model\"}}],"
    "\"usageMetadata\": {\"promptTokenCount\": 12,\"candidatesTokenCount\": 3,\"totalTokenCount\": 15}}\r\n\r\n"
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"!\"}],\"role\": \"model\"},"
    "\"finishReason\": \"STOP\"}],\"usageMetadata\": {\"promptTokenCount\": 12,\"candidatesTokenCount\": 7,"
    "\"thoughtsTokenCount\": 20,\"totalTokenCount\": 39}}\r\n\r\n");

const QByteArray kJsonArray =
    QByteArrayLiteral("[{\n  \"candidates\": [{\"content\": {\"parts\": [{\"text\": \"A\"}], \"role\": \"model\"}}],\n"
                      "  \"usageMetadata\": {\"promptTokenCount\": 4, \"totalTokenCount\": 4}\n}\n,\r\n"
                      "{\n  \"candidates\": [{\"content\": {\"parts\": [{\"text\": \"B\"}], \"role\": \"model\"},"
                      " \"finishReason\": \"MAX_TOKENS\"}],\n"
                      "  \"usageMetadata\": {\n    \"promptTokenCount\": 4,\n    \"candidatesTokenCount\": 9,\n"
                      "    \"totalTokenCount\": 13\n  }\n}\n]");

// proto3 JSON encodes int64 as strings; this one is above 2^53, where a double would lose the last digit.
const QByteArray kInt64Strings =
    QByteArrayLiteral(R"({"usageMetadata": {"promptTokenCount": "9007199254740993", "candidatesTokenCount": "5",)"
                      R"( "cachedContentTokenCount": "1024", "totalTokenCount": "9007199254740998"}})");

// The model's text talks about usageMetadata, quotes escaped; only the real object at the end counts.
const QByteArray kEscapedInText = QByteArrayLiteral(
    R"({"candidates": [{"content": {"parts": [{"text": "Use \"usageMetadata\": {\"promptTokenCount\": 999,)"
    R"( \"totalTokenCount\": 999} and \\\"usageMetadata\\\": {}"}]}}],)"
    R"( "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 2, "totalTokenCount": 5}})");

// Only the look-alike, no real usage.
const QByteArray kEscapedOnly = QByteArrayLiteral(
    R"({"candidates": [{"content": {"parts": [{"text": "\"usageMetadata\": {\"promptTokenCount\": 1}"}]}}]})");

const QByteArray kNested = QByteArrayLiteral(
    R"({"usageMetadata": {"promptTokenCount": 260, "candidatesTokenCount": 40, "totalTokenCount": 300,)"
    R"( "cachedContentTokenCount": 200,)"
    R"( "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 10}, {"modality": "IMAGE", "tokenCount": 250}],)"
    R"( "cacheTokensDetails": [{"modality": "TEXT", "tokenCount": 200}],)"
    R"( "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 40, "note": "braces } { in a string"}]},)"
    R"( "modelVersion": "gemini-2.5-pro"})");

const QByteArray kToolUse = QByteArrayLiteral(
    R"({"usageMetadata": {"promptTokenCount": 100, "toolUsePromptTokenCount": 25, "candidatesTokenCount": 10,)"
    R"( "totalTokenCount": 135}})");

const QByteArray kThoughts = QByteArrayLiteral(
    R"({"usageMetadata": {"promptTokenCount": 8, "candidatesTokenCount": 10, "thoughtsTokenCount": 500,)"
    R"( "totalTokenCount": 518}})");

const QByteArray kNoUsage = QByteArrayLiteral(
    R"({"candidates": [{"content": {"parts": [{"text": "hi"}], "role": "model"}, "finishReason": "STOP"}]})");

// The key as a plain string value is not followed by an object.
const QByteArray kKeyAsValue = QByteArrayLiteral(R"({"field": "usageMetadata", "other": {"promptTokenCount": 5}})");

const QByteArray kEmptyUsageObject = QByteArrayLiteral(R"({"usageMetadata": {}})");

void addBodyColumns() {
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<qint64>("prompt");
    QTest::addColumn<qint64>("cached");
    QTest::addColumn<qint64>("candidates");
    QTest::addColumn<qint64>("thoughts");
    QTest::addColumn<qint64>("total");
    QTest::addColumn<bool>("seen");
}

void addBodyRows() {
    const auto row = [](const char* name, const QByteArray& body, Expected e) {
        QTest::newRow(name) << body << e.prompt << e.cached << e.candidates << e.thoughts << e.total << e.seen;
    };
    row("plain json", kPlainJson, {12, 0, 7, 0, 19, true});
    row("sse last snapshot wins", kSse, {12, 0, 7, 20, 39, true});
    row("streamed json array", kJsonArray, {4, 0, 9, 0, 13, true});
    row("int64 as strings", kInt64Strings, {9007199254740993LL, 1024, 5, 0, 9007199254740998LL, true});
    row("escaped key in text", kEscapedInText, {3, 0, 2, 0, 5, true});
    row("escaped key only", kEscapedOnly, {0, 0, 0, 0, 0, false});
    row("nested details", kNested, {260, 200, 40, 0, 300, true});
    row("tool use prompt added", kToolUse, {125, 0, 10, 0, 135, true});
    row("thoughts", kThoughts, {8, 0, 10, 500, 518, true});
    row("no usage", kNoUsage, {0, 0, 0, 0, 0, false});
    row("key as string value", kKeyAsValue, {0, 0, 0, 0, 0, false});
    row("empty usage object", kEmptyUsageObject, {0, 0, 0, 0, 0, false});
    row("empty body", QByteArray(), {0, 0, 0, 0, 0, false});
}

void verifyUsage(const UsageScanner& scanner) {
    QFETCH(qint64, prompt);
    QFETCH(qint64, cached);
    QFETCH(qint64, candidates);
    QFETCH(qint64, thoughts);
    QFETCH(qint64, total);
    QFETCH(bool, seen);
    const TokenUsage& u = scanner.usage();
    QCOMPARE(u.prompt, prompt);
    QCOMPARE(u.cached, cached);
    QCOMPARE(u.candidates, candidates);
    QCOMPARE(u.thoughts, thoughts);
    QCOMPARE(u.total, total);
    QCOMPARE(u.seen, seen);
    QCOMPARE(u.output(), candidates + thoughts);
}

void feedAll(UsageScanner& scanner, const QByteArray& body) {
    scanner.feed(body.constData(), body.size());
}

} // namespace

void TestUsageScanner::wholeBody_data() {
    addBodyColumns();
    addBodyRows();
}

void TestUsageScanner::wholeBody() {
    QFETCH(QByteArray, body);
    UsageScanner scanner;
    feedAll(scanner, body);
    verifyUsage(scanner);
}

void TestUsageScanner::byteAtATime_data() {
    addBodyColumns();
    addBodyRows();
}

void TestUsageScanner::byteAtATime() {
    QFETCH(QByteArray, body);
    UsageScanner scanner;
    for (qsizetype i = 0; i < body.size(); ++i)
        scanner.feed(body.constData() + i, 1);
    verifyUsage(scanner);
}

void TestUsageScanner::randomSplits_data() {
    addBodyColumns();
    addBodyRows();
}

void TestUsageScanner::randomSplits() {
    QFETCH(QByteArray, body);
    // Fixed seeds: a failure reproduces.
    for (quint32 seed = 1; seed <= 50; ++seed) {
        QRandomGenerator rng(seed);
        UsageScanner scanner;
        qsizetype pos = 0;
        while (pos < body.size()) {
            const qsizetype len = qMin<qsizetype>(body.size() - pos, rng.bounded(1, 24));
            scanner.feed(body.constData() + pos, len);
            pos += len;
        }
        verifyUsage(scanner);
        if (QTest::currentTestFailed()) {
            qWarning("failed with seed %u", seed);
            return;
        }
    }
}

void TestUsageScanner::keyAndObjectSplitAcrossFeeds_data() {
    QTest::addColumn<QByteArrayList>("pieces");
    QTest::addColumn<qint64>("prompt");
    QTest::addColumn<qint64>("total");

    QTest::newRow("key split") << QByteArrayList{"{\"usageMet",
                                                 "adata\": {\"promptTokenCount\": 5, \"totalTokenCount\": 6}}"}
                               << qint64(5) << qint64(6);
    QTest::newRow("quote split") << QByteArrayList{"{\"", "usageMetadata", "\"", ": {\"promptTokenCount\": 1}}"}
                                 << qint64(1) << qint64(0);
    QTest::newRow("between key and brace")
        << QByteArrayList{"{\"usageMetadata\"", " :", "\n", " {\"promptTokenCount\": 2, \"totalTokenCount\": 3}}"}
        << qint64(2) << qint64(3);
    QTest::newRow("object split in number")
        << QByteArrayList{"{\"usageMetadata\": {\"promptTokenCount\": 12", "34, \"totalTok", "enCount\": 99", "99}}"}
        << qint64(1234) << qint64(9999);
    QTest::newRow("object split in string with brace")
        << QByteArrayList{"{\"usageMetadata\": {\"x\": \"a}", "\\\"}\", \"promptTokenCount\": 7}", "}"} << qint64(7)
        << qint64(0);
    QTest::newRow("second snapshot split")
        << QByteArrayList{"data: {\"usageMetadata\": {\"promptTokenCount\": 1}}\n\nda",
                          "ta: {\"usageMetadata\": {\"prompt", "TokenCount\": 2, \"totalTokenCount\": 4}}\n\n"}
        << qint64(2) << qint64(4);
}

void TestUsageScanner::keyAndObjectSplitAcrossFeeds() {
    QFETCH(QByteArrayList, pieces);
    QFETCH(qint64, prompt);
    QFETCH(qint64, total);
    UsageScanner scanner;
    for (const QByteArray& piece : std::as_const(pieces))
        feedAll(scanner, piece);
    QVERIFY(scanner.usage().seen);
    QCOMPARE(scanner.usage().prompt, prompt);
    QCOMPARE(scanner.usage().total, total);
}

void TestUsageScanner::candidatesAndFinishReason_data() {
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("sawCandidates");
    QTest::addColumn<bool>("sawFinishReason");

    QTest::newRow("plain json") << kPlainJson << true << true;
    QTest::newRow("sse, finish in last event") << kSse << true << true;
    QTest::newRow("array") << kJsonArray << true << true;
    QTest::newRow("usage only") << kToolUse << false << false;
    QTest::newRow("prompt blocked")
        << QByteArrayLiteral(
               R"({"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 3}})")
        << false << false;
    QTest::newRow("escaped keys in text")
        << QByteArrayLiteral(R"({"text": "\"candidates\" and \"finishReason\""})") << false << false;
    QTest::newRow("candidates without finish")
        << QByteArrayLiteral(R"({"candidates": [{"content": {"parts": [{"text": "x"}]}}]})") << true << false;
}

void TestUsageScanner::candidatesAndFinishReason() {
    QFETCH(QByteArray, body);
    QFETCH(bool, sawCandidates);
    QFETCH(bool, sawFinishReason);

    UsageScanner whole;
    feedAll(whole, body);
    QCOMPARE(whole.sawCandidates(), sawCandidates);
    QCOMPARE(whole.sawFinishReason(), sawFinishReason);

    UsageScanner bytes;
    for (qsizetype i = 0; i < body.size(); ++i)
        bytes.feed(body.constData() + i, 1);
    QCOMPARE(bytes.sawCandidates(), sawCandidates);
    QCOMPARE(bytes.sawFinishReason(), sawFinishReason);
}

void TestUsageScanner::hugeBodyWithoutUsage() {
    // 10 MB of text in one candidate, fed in relay-sized pieces, then the usage object.
    constexpr qsizetype kTextBytes = 10 * 1024 * 1024;
    QByteArray body = QByteArrayLiteral(R"({"candidates": [{"content": {"parts": [{"text": ")");
    QByteArray text(kTextBytes, 'x');
    for (qsizetype i = 0; i < text.size(); i += 97)
        text[i] = (i % 2) ? '{' : '}';
    body += text;
    body += QByteArrayLiteral(R"("}]}}], "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 2500000,)"
                              R"( "totalTokenCount": 2500010}})");

    UsageScanner scanner;
    constexpr qsizetype kPiece = 32 * 1024;
    for (qsizetype pos = 0; pos < body.size(); pos += kPiece)
        scanner.feed(body.constData() + pos, qMin(kPiece, body.size() - pos));
    QVERIFY(scanner.usage().seen);
    QCOMPARE(scanner.usage().prompt, qint64(10));
    QCOMPARE(scanner.usage().candidates, qint64(2500000));
    QCOMPARE(scanner.usage().total, qint64(2500010));
    QVERIFY(scanner.sawCandidates());
}

void TestUsageScanner::oversizedUsageObjectIsDropped() {
    // A "usageMetadata" object larger than any real one is abandoned rather than buffered; the scanner then
    // still finds the next real one.
    QByteArray body = QByteArrayLiteral(R"({"usageMetadata": {"promptTokenCount": 1, "junk": ")");
    body += QByteArray(1024 * 1024, 'j');
    body += QByteArrayLiteral(R"("}})");
    body += QByteArrayLiteral("\n");

    UsageScanner scanner;
    feedAll(scanner, body);
    QVERIFY(!scanner.usage().seen);

    feedAll(scanner, QByteArrayLiteral(R"({"usageMetadata": {"promptTokenCount": 42, "totalTokenCount": 50}})"));
    QVERIFY(scanner.usage().seen);
    QCOMPARE(scanner.usage().prompt, qint64(42));
    QCOMPARE(scanner.usage().total, qint64(50));
}

void TestUsageScanner::sseLinesEndAtCrlfLfOrCr_data() {
    QTest::addColumn<QByteArrayList>("chunks");
    QTest::addColumn<QByteArrayList>("lines");
    const QByteArrayList want{"data: a", "", "data: b", ""};
    QTest::newRow("crlf") << QByteArrayList{"data: a\r\n\r\ndata: b\r\n\r\n"} << want;
    QTest::newRow("lf") << QByteArrayList{"data: a\n\ndata: b\n\n"} << want;
    QTest::newRow("cr") << QByteArrayList{"data: a\r\rdata: b\r\r"} << want;
    QTest::newRow("crlf split between chunks")
        << QByteArrayList{"data: a\r", "\n\r", "\ndata: ", "b\r\n", "\r\n"} << want;
}

void TestUsageScanner::sseLinesEndAtCrlfLfOrCr() {
    QFETCH(QByteArrayList, chunks);
    QFETCH(QByteArrayList, lines);
    SseLineReader reader;
    QByteArrayList got;
    for (const QByteArray& c : chunks) {
        reader.feed(c.constData(), c.size(), [&](const QByteArray& text, qsizetype length, qsizetype) {
            got.append(text);
            return length == text.size();
        });
    }
    QCOMPARE(got, lines);
    QVERIFY(reader.takePending().isEmpty());
}

void TestUsageScanner::sseEventEndAcrossChunks_data() {
    QTest::addColumn<QByteArrayList>("chunks"); // the stream after the point where it is cut
    QTest::addColumn<int>("chunk");             // where the event ends: in which chunk ...
    QTest::addColumn<int>("end");               // ... and just before which index
    QTest::newRow("same chunk") << QByteArrayList{"}}\r\n\r\ndata: {}\r\n\r\n"} << 0 << 6;
    QTest::newRow("lf only") << QByteArrayList{"}\n\ndata: {}"} << 0 << 3;
    QTest::newRow("blank line split") << QByteArrayList{"}}\r\n", "\r\n", "data: x"} << 1 << 2;
    // A CR ends a line by itself: whether an LF follows is not known yet (the cut adds one, see QuotaCutFilter).
    QTest::newRow("blank line ends at a chunk's last CR") << QByteArrayList{"}}\r\n\r", "\n"} << 0 << 5;
    QTest::newRow("cut at the end of its line") << QByteArrayList{"\r\n", "\r\n"} << 1 << 2;
    QTest::newRow("cr only") << QByteArrayList{"}\r\rdata"} << 0 << 3;
}

void TestUsageScanner::sseEventEndAcrossChunks() {
    QFETCH(QByteArrayList, chunks);
    QFETCH(int, chunk);
    QFETCH(int, end);
    StreamEventEnd e;
    e.sse = true;
    for (int i = 0; i < chunks.size(); ++i) {
        const qsizetype at = e.find(chunks[i].constData(), chunks[i].size());
        if (i < chunk) {
            QCOMPARE(at, qsizetype(-1));
            continue;
        }
        QCOMPARE(at, qsizetype(end));
        return;
    }
    QFAIL("the event's end was not found");
}

QTEST_GUILESS_MAIN(TestUsageScanner)
#include "tst_usagescanner.moc"
