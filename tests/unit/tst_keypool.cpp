// KeyPool: smooth weighted round-robin (shares, nginx's sequence, smoothness), exclusions, reload keeping the
// rotation, lookups, and pick() under contention from several threads.

#include "keys/keypool.h"

#include <QHash>
#include <QSet>
#include <QTest>

#include <thread>
#include <vector>

using namespace gemgate;

class TestKeyPool : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sharesFollowWeights_data();
    void sharesFollowWeights();
    void smoothSequence_data();
    void smoothSequence();
    void heavyKeyNeverBursts();
    void exclusion_data();
    void exclusion();
    void emptyPool();
    void nonPositiveWeightCountsAsOne();
    void updateKeepsRotationOfRemainingKeys();
    void updateDropsRemovedKeys();
    void byId();
    void secrets();
    void concurrentPicks_data();
    void concurrentPicks();
};

namespace {

QString idOf(int i) {
    return QString(QLatin1Char(char('a' + i)));
}

QByteArray secretOf(const QString& id) {
    return "secret-" + id.toLatin1();
}

QList<UpstreamKey> makeKeys(const QList<int>& weights) {
    QList<UpstreamKey> keys;
    for (int i = 0; i < weights.size(); ++i) {
        UpstreamKey k;
        k.id = idOf(i);
        k.secret = QString::fromLatin1(secretOf(k.id));
        k.weight = weights[i];
        keys.append(k);
    }
    return keys;
}

QString picks(KeyPool& pool, int n, const QStringList& exclude = {}) {
    QString out;
    for (int i = 0; i < n; ++i) {
        const std::optional<PickedKey> k = pool.pick(exclude);
        out += k ? k->id : QStringLiteral("-");
    }
    return out;
}

void verifyShares(const QHash<QString, int>& counts, const QList<int>& weights, int picks) {
    int total = 0;
    for (int w : weights)
        total += w;
    int sum = 0;
    for (int i = 0; i < weights.size(); ++i) {
        const int got = counts.value(idOf(i));
        sum += got;
        const double share = double(got) / picks;
        const double want = double(weights[i]) / total;
        QVERIFY2(qAbs(share - want) <= 0.02,
                 qPrintable(QStringLiteral("key %1: share %2, expected %3").arg(idOf(i)).arg(share).arg(want)));
    }
    QCOMPARE(sum, picks);
    QCOMPARE(counts.size(), weights.size());
}

} // namespace

void TestKeyPool::sharesFollowWeights_data() {
    QTest::addColumn<QList<int>>("weights");
    QTest::newRow("1:1") << QList<int>{1, 1};
    QTest::newRow("3:1") << QList<int>{3, 1};
    QTest::newRow("5:3:2") << QList<int>{5, 3, 2};
    QTest::newRow("1:1:1:97") << QList<int>{1, 1, 1, 97};
    QTest::newRow("single") << QList<int>{4};
}

void TestKeyPool::sharesFollowWeights() {
    QFETCH(QList<int>, weights);
    KeyPool pool;
    pool.update(makeKeys(weights));
    constexpr int kPicks = 10000;
    QHash<QString, int> counts;
    for (int i = 0; i < kPicks; ++i) {
        const std::optional<PickedKey> k = pool.pick();
        QVERIFY(k);
        QCOMPARE(k->secret, secretOf(k->id));
        ++counts[k->id];
    }
    verifyShares(counts, weights, kPicks);
}

void TestKeyPool::smoothSequence_data() {
    QTest::addColumn<QList<int>>("weights");
    QTest::addColumn<QString>("sequence");
    // nginx's documented sequence for weights 5, 1, 1 (ngx_http_upstream_round_robin.c), twice: it is periodic.
    QTest::newRow("5:1:1") << QList<int>{5, 1, 1} << QStringLiteral("aabacaaaabacaa");
    QTest::newRow("1:1") << QList<int>{1, 1} << QStringLiteral("abab");
    QTest::newRow("2:1") << QList<int>{2, 1} << QStringLiteral("abaaba");
    QTest::newRow("1:1:1") << QList<int>{1, 1, 1} << QStringLiteral("abcabc");
    QTest::newRow("1:2") << QList<int>{1, 2} << QStringLiteral("babbab");
}

void TestKeyPool::smoothSequence() {
    QFETCH(QList<int>, weights);
    QFETCH(QString, sequence);
    KeyPool pool;
    pool.update(makeKeys(weights));
    QCOMPARE(picks(pool, int(sequence.size())), sequence);
}

void TestKeyPool::heavyKeyNeverBursts() {
    KeyPool pool;
    pool.update(makeKeys({5, 1, 1}));
    const QString seq = picks(pool, 7000);
    for (qsizetype i = 0; i + 7 <= seq.size(); ++i) {
        const qsizetype heavy = QStringView(seq).mid(i, 7).count(QLatin1Char('a'));
        QVERIFY2(heavy <= 5, qPrintable(QStringLiteral("window at %1: %2").arg(i).arg(seq.mid(i, 7))));
    }
}

void TestKeyPool::exclusion_data() {
    QTest::addColumn<QList<int>>("weights");
    QTest::addColumn<QStringList>("exclude");
    QTest::addColumn<QString>("allowed"); // ids that may be picked; empty => nullopt every time

    QTest::newRow("skip one of two") << QList<int>{1, 1} << QStringList{QStringLiteral("a")} << QStringLiteral("b");
    QTest::newRow("skip heavy") << QList<int>{97, 1, 1} << QStringList{QStringLiteral("a")} << QStringLiteral("bc");
    QTest::newRow("skip two of three") << QList<int>{1, 5, 1} << QStringList{QStringLiteral("a"), QStringLiteral("b")}
                                       << QStringLiteral("c");
    QTest::newRow("unknown id ignored") << QList<int>{1, 1} << QStringList{QStringLiteral("zz")}
                                        << QStringLiteral("ab");
    QTest::newRow("all excluded") << QList<int>{1, 1} << QStringList{QStringLiteral("b"), QStringLiteral("a")}
                                  << QString();
    QTest::newRow("single excluded") << QList<int>{3} << QStringList{QStringLiteral("a")} << QString();
}

void TestKeyPool::exclusion() {
    QFETCH(QList<int>, weights);
    QFETCH(QStringList, exclude);
    QFETCH(QString, allowed);
    KeyPool pool;
    pool.update(makeKeys(weights));
    QSet<QString> seen;
    for (int i = 0; i < 100; ++i) {
        const std::optional<PickedKey> k = pool.pick(exclude);
        if (allowed.isEmpty()) {
            QVERIFY(!k);
            continue;
        }
        QVERIFY(k);
        QVERIFY2(allowed.contains(k->id), qPrintable(k->id));
        seen.insert(k->id);
    }
    QCOMPARE(seen.size(), allowed.size()); // every allowed key gets its turn
    // Without exclusions every key is available again.
    QVERIFY(pool.pick());
}

void TestKeyPool::emptyPool() {
    KeyPool pool;
    QVERIFY(!pool.pick());
    QVERIFY(!pool.pick({QStringLiteral("a")}));
    QVERIFY(!pool.byId(QStringLiteral("a")));
    QVERIFY(pool.secrets().isEmpty());
    QCOMPARE(pool.summary().total, 0);

    pool.update(makeKeys({1}));
    QVERIFY(pool.pick());
    pool.update({});
    QVERIFY(!pool.pick());
}

void TestKeyPool::nonPositiveWeightCountsAsOne() {
    KeyPool pool;
    pool.update(makeKeys({0, -3}));
    QCOMPARE(picks(pool, 4), QStringLiteral("abab"));
}

void TestKeyPool::updateKeepsRotationOfRemainingKeys() {
    KeyPool pool;
    pool.update(makeKeys({5, 1, 1}));
    QCOMPARE(picks(pool, 3), QStringLiteral("aab"));

    // A reload with the same ids in another order.
    QList<UpstreamKey> reordered = makeKeys({5, 1, 1});
    std::swap(reordered[0], reordered[2]); // c, b, a
    pool.update(reordered);
    // The rotation continues where it was (a c a a), instead of starting over (a a ...).
    QCOMPARE(picks(pool, 4), QStringLiteral("acaa"));
    QCOMPARE(picks(pool, 7).count(QLatin1Char('a')), 5);
}

void TestKeyPool::updateDropsRemovedKeys() {
    KeyPool pool;
    pool.update(makeKeys({1, 1, 1}));
    QCOMPARE(picks(pool, 1), QStringLiteral("a")); // currents now a -2, b 1, c 1

    QList<UpstreamKey> withoutB = makeKeys({1, 1, 1});
    withoutB.removeAt(1);
    pool.update(withoutB);
    QVERIFY(!pool.byId(QStringLiteral("b")));
    QCOMPARE(pool.secrets(), (QList<QByteArray>{secretOf(QStringLiteral("a")), secretOf(QStringLiteral("c"))}));

    // b comes back with a fresh state (0): c (1) is richer. Had b kept its old credit it would win the tie.
    pool.update(makeKeys({1, 1, 1}));
    QCOMPARE(picks(pool, 1), QStringLiteral("c"));
}

void TestKeyPool::byId() {
    KeyPool pool;
    pool.update(makeKeys({1, 2}));
    const std::optional<PickedKey> b = pool.byId(QStringLiteral("b"));
    QVERIFY(b);
    QCOMPARE(b->id, QStringLiteral("b"));
    QCOMPARE(b->secret, QByteArrayLiteral("secret-b"));
    QVERIFY(!pool.byId(QStringLiteral("c")));
    QVERIFY(!pool.byId(QStringLiteral("B")));
    QVERIFY(!pool.byId(QString()));

    // byId does not advance the rotation.
    for (int i = 0; i < 10; ++i)
        pool.byId(QStringLiteral("a"));
    QCOMPARE(picks(pool, 3), QStringLiteral("bab"));

    // A new secret for an existing id is visible immediately.
    QList<UpstreamKey> rotated = makeKeys({1, 2});
    rotated[1].secret = QStringLiteral("new-secret");
    pool.update(rotated);
    QCOMPARE(pool.byId(QStringLiteral("b"))->secret, QByteArrayLiteral("new-secret"));
}

void TestKeyPool::secrets() {
    KeyPool pool;
    QList<UpstreamKey> keys = makeKeys({1, 1, 1});
    keys[2].secret = QStringLiteral("AIza\u00e9"); // stored as UTF-8
    pool.update(keys);
    QCOMPARE(pool.secrets(),
             (QList<QByteArray>{QByteArrayLiteral("secret-a"), QByteArrayLiteral("secret-b"), "AIza\xc3\xa9"}));
    QCOMPARE(pool.summary().total, 3);
    QCOMPARE(pool.summary().available, 3);
}

void TestKeyPool::concurrentPicks_data() {
    QTest::addColumn<QList<int>>("weights");
    QTest::newRow("1:1") << QList<int>{1, 1};
    QTest::newRow("3:1") << QList<int>{3, 1};
    QTest::newRow("5:3:2") << QList<int>{5, 3, 2};
    QTest::newRow("1:1:1:97") << QList<int>{1, 1, 1, 97};
}

void TestKeyPool::concurrentPicks() {
    QFETCH(QList<int>, weights);
    KeyPool pool;
    pool.update(makeKeys(weights));

    constexpr int kThreads = 4;
    constexpr int kPerThread = 10000;
    std::vector<QHash<QString, int>> perThread(kThreads);
    std::vector<int> misses(kThreads, 0);
    {
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&pool, &perThread, &misses, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    const std::optional<PickedKey> k = pool.pick();
                    if (k)
                        ++perThread[t][k->id];
                    else
                        ++misses[t];
                }
            });
        }
        for (std::thread& th : threads)
            th.join();
    }

    QHash<QString, int> counts;
    for (int t = 0; t < kThreads; ++t) {
        QCOMPARE(misses[t], 0);
        for (auto it = perThread[t].cbegin(); it != perThread[t].cend(); ++it)
            counts[it.key()] += it.value();
    }
    verifyShares(counts, weights, kThreads * kPerThread);

    // The shared rotation is intact: the sum of weights' cycle is exact, so 40k picks of a pool whose total weight
    // divides 40k land exactly on weight/total.
    int total = 0;
    for (int w : weights)
        total += w;
    if ((kThreads * kPerThread) % total == 0) {
        for (int i = 0; i < weights.size(); ++i)
            QCOMPARE(counts.value(idOf(i)), kThreads * kPerThread / total * weights[i]);
    }
}

QTEST_GUILESS_MAIN(TestKeyPool)
#include "tst_keypool.moc"
