// `gemgate usage ...`: what the clients used, from the daily roll-ups of the state database of the config in use
// (or its newest request records with --requests). Read-only: a missing database is reported, not created.

#include "usagecli.h"

#include "config/configloader.h"
#include "control/keymanager.h"
#include "storage/statedb.h"
#include "storage/usagestore.h"

#include <QDate>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTimeZone>

#include <algorithm>
#include <cstdio>

namespace gemgate {

namespace {

void out(const QString& s) {
    std::printf("%s\n", qPrintable(s));
}

void err(const QString& s) {
    std::fprintf(stderr, "gemgate usage: %s\n", qPrintable(s));
}

QString usageUsage() {
    return QStringLiteral(
        "Usage: gemgate [--config FILE] usage [options]\n"
        "Token and request usage from the daily roll-ups (days in limits.time_zone).\n"
        "  --by LIST        group by any of client,namespace,key,model (comma-separated, order kept)\n"
        "  --from DAY       first day, YYYY-MM-DD (inclusive)\n"
        "  --to DAY         last day, YYYY-MM-DD (inclusive; default: today)\n"
        "  --days N         the N days ending with --to or today (default 7; ignored with --from)\n"
        "  --total          one line per group for the whole range instead of one per day\n"
        "  --client NAME, --namespace NS, --key ID, --model M   only these\n"
        "  --json           a JSON array of objects instead of a table\n"
        "  --requests N     the N newest request records instead (with --client and --json only)\n");
}

const QStringList& groupNames() {
    static const QStringList names{QStringLiteral("client"), QStringLiteral("namespace"), QStringLiteral("key"),
                                   QStringLiteral("model")};
    return names;
}

// limits.time_zone as the policy engine reads it: "local", an IANA id, UTC when empty or unknown.
QTimeZone zoneOf(const QString& name) {
    const QString zone = name.trimmed();
    QTimeZone z;
    if (zone.compare(QLatin1String("local"), Qt::CaseInsensitive) == 0)
        z = QTimeZone::systemTimeZone();
    else if (zone.isEmpty() || zone == QLatin1String("UTC"))
        z = QTimeZone::utc();
    else
        z = QTimeZone(zone.toUtf8());
    return z.isValid() ? z : QTimeZone::utc();
}

QDate parseDay(const QString& text) {
    static const QRegularExpression shape(QStringLiteral("^\\d{4}-\\d{2}-\\d{2}$"));
    return shape.match(text).hasMatch() ? QDate::fromString(text, Qt::ISODate) : QDate();
}

QString dayText(const QDate& d) {
    return d.toString(Qt::ISODate);
}

struct Options {
    QStringList groupBy;
    QDate from;
    QDate to;
    int days = 7;
    bool daysGiven = false;
    bool total = false;
    QString client;
    QString nameSpace;
    QString keyId;
    QString model;
    bool json = false;
    int requests = 0;        // > 0: show request records
    QStringList summaryOnly; // options given that --requests does not take
};

// Parses args into *o; returns an error message naming the option and what it expects, or empty.
QString parseOptions(const QStringList& args, Options* o) {
    for (qsizetype i = 0; i < args.size(); ++i) {
        QString a = args[i];
        QString inlineValue;
        bool hasInline = false;
        const qsizetype eq = a.indexOf(QLatin1Char('='));
        if (a.startsWith(QLatin1String("--")) && eq > 2) {
            inlineValue = a.mid(eq + 1);
            hasInline = true;
            a.truncate(eq);
        }
        QString error;
        auto value = [&]() -> QString {
            if (hasInline)
                return inlineValue;
            if (i + 1 >= args.size()) {
                error = QStringLiteral("%1 needs a value").arg(a);
                return {};
            }
            return args[++i];
        };
        auto number = [&](int min, int max, const char* what) {
            const QString v = value();
            if (!error.isEmpty())
                return 0;
            bool ok = false;
            const int n = v.toInt(&ok);
            if (!ok || n < min || n > max)
                error = QStringLiteral("%1 expects %2 between %3 and %4, got \"%5\"")
                            .arg(a, QLatin1String(what))
                            .arg(min)
                            .arg(max)
                            .arg(v);
            return n;
        };
        auto day = [&]() {
            const QString v = value();
            if (!error.isEmpty())
                return QDate();
            const QDate d = parseDay(v);
            if (!d.isValid())
                error = QStringLiteral("%1 expects a day as YYYY-MM-DD (e.g. 2026-11-24), got \"%2\"").arg(a, v);
            return d;
        };
        auto text = [&](QString* target) {
            const QString v = value();
            if (error.isEmpty() && v.isEmpty())
                error = QStringLiteral("%1 expects a non-empty value").arg(a);
            *target = v;
        };
        auto flag = [&](bool* target) {
            if (hasInline)
                error = QStringLiteral("%1 takes no value").arg(a);
            *target = true;
        };

        if (a == QLatin1String("--by")) {
            const QString v = value();
            if (error.isEmpty()) {
                o->groupBy.clear();
                for (const QString& part : v.split(u',', Qt::SkipEmptyParts)) {
                    const QString g = part.trimmed();
                    if (!groupNames().contains(g)) {
                        error = QStringLiteral("--by expects a comma-separated list of client, namespace, key, model; "
                                               "got \"%1\"")
                                    .arg(g);
                        break;
                    }
                    if (o->groupBy.contains(g)) {
                        error = QStringLiteral("--by names \"%1\" twice").arg(g);
                        break;
                    }
                    o->groupBy.append(g);
                }
                if (error.isEmpty() && o->groupBy.isEmpty())
                    error = QStringLiteral("--by expects a comma-separated list of client, namespace, key, model; got "
                                           "\"%1\"")
                                .arg(v);
            }
            o->summaryOnly.append(a);
        } else if (a == QLatin1String("--from")) {
            o->from = day();
            o->summaryOnly.append(a);
        } else if (a == QLatin1String("--to")) {
            o->to = day();
            o->summaryOnly.append(a);
        } else if (a == QLatin1String("--days")) {
            o->days = number(1, 36500, "a number of days");
            o->daysGiven = true;
            o->summaryOnly.append(a);
        } else if (a == QLatin1String("--total")) {
            flag(&o->total);
            o->summaryOnly.append(a);
        } else if (a == QLatin1String("--client")) {
            text(&o->client);
        } else if (a == QLatin1String("--namespace")) {
            text(&o->nameSpace);
            o->summaryOnly.append(a);
        } else if (a == QLatin1String("--key")) {
            text(&o->keyId);
            o->summaryOnly.append(a);
        } else if (a == QLatin1String("--model")) {
            text(&o->model);
            o->summaryOnly.append(a);
        } else if (a == QLatin1String("--json")) {
            flag(&o->json);
        } else if (a == QLatin1String("--requests")) {
            o->requests = number(1, 100000, "a number of records");
        } else if (a.startsWith(QLatin1Char('-'))) {
            error = QStringLiteral("unknown option %1 (see `gemgate usage help`)").arg(a);
        } else {
            error = QStringLiteral("unexpected argument \"%1\" (see `gemgate usage help`)").arg(a);
        }
        if (!error.isEmpty())
            return error;
    }
    if (o->from.isValid() && o->to.isValid() && o->from > o->to)
        return QStringLiteral("--from %1 is after --to %2").arg(dayText(o->from), dayText(o->to));
    if (o->requests > 0 && !o->summaryOnly.isEmpty())
        return QStringLiteral("--requests shows the newest request records and takes only --client and --json, "
                              "not %1")
            .arg(o->summaryOnly.join(QStringLiteral(", ")));
    return {};
}

// ---- output ----

// Columns of text: the first `textColumns` are left-aligned, the rest (numbers) right-aligned.
void printTable(const QStringList& header, const QList<QStringList>& rows, int textColumns) {
    QList<qsizetype> widths;
    for (const QString& h : header)
        widths.append(h.size());
    for (const QStringList& r : rows)
        for (qsizetype c = 0; c < r.size() && c < widths.size(); ++c)
            widths[c] = std::max(widths[c], r[c].size());
    auto format = [&](const QStringList& cells) {
        QString s;
        for (qsizetype c = 0; c < cells.size(); ++c) {
            if (c > 0)
                s += QStringLiteral("  ");
            const bool last = c + 1 == cells.size();
            if (c < textColumns)
                s += last ? cells[c] : cells[c].leftJustified(widths[c]);
            else
                s += cells[c].rightJustified(widths[c]);
        }
        return s;
    };
    out(format(header));
    for (const QStringList& r : rows)
        out(format(r));
}

QString orDash(const QString& s) {
    return s.isEmpty() ? QStringLiteral("-") : s;
}

qint64 outputTokens(const UsageSummaryRow& r) {
    return r.candidatesTokens + r.thoughtsTokens;
}

void addTo(UsageSummaryRow& sum, const UsageSummaryRow& r) {
    sum.requests += r.requests;
    sum.admitted += r.admitted;
    sum.errors += r.errors;
    sum.truncated += r.truncated;
    sum.promptTokens += r.promptTokens;
    sum.candidatesTokens += r.candidatesTokens;
    sum.thoughtsTokens += r.thoughtsTokens;
    sum.cachedTokens += r.cachedTokens;
    sum.totalTokens += r.totalTokens;
    sum.bytesIn += r.bytesIn;
    sum.bytesOut += r.bytesOut;
}

QStringList numbers(const UsageSummaryRow& r) {
    return {QString::number(r.requests),     QString::number(r.errors),        QString::number(r.truncated),
            QString::number(r.promptTokens), QString::number(outputTokens(r)), QString::number(r.cachedTokens),
            QString::number(r.totalTokens),  QString::number(r.bytesIn),       QString::number(r.bytesOut)};
}

const QString& groupValue(const UsageSummaryRow& r, const QString& group) {
    if (group == QLatin1String("client"))
        return r.client;
    if (group == QLatin1String("namespace"))
        return r.nameSpace;
    if (group == QLatin1String("key"))
        return r.keyId;
    return r.model;
}

void printSummaryTable(const QList<UsageSummaryRow>& rows, const UsageQuery& q) {
    QStringList header;
    if (q.byDay)
        header.append(QStringLiteral("day"));
    header += q.groupBy;
    const int textColumns = int(header.size());
    header += QStringList{QStringLiteral("requests"), QStringLiteral("errors"),   QStringLiteral("truncated"),
                          QStringLiteral("prompt"),   QStringLiteral("output"),   QStringLiteral("cached"),
                          QStringLiteral("total"),    QStringLiteral("bytes_in"), QStringLiteral("bytes_out")};
    UsageSummaryRow sum;
    QList<QStringList> table;
    for (const UsageSummaryRow& r : rows) {
        QStringList cells;
        if (q.byDay)
            cells.append(r.day);
        for (const QString& g : q.groupBy)
            cells.append(orDash(groupValue(r, g)));
        table.append(cells + numbers(r));
        addTo(sum, r);
    }
    if (textColumns == 0) { // --total without --by: the one row is the total
        printTable(QStringList{QString()} + header, {QStringList{QStringLiteral("TOTAL")} + numbers(sum)}, 1);
        return;
    }
    QStringList total{QStringLiteral("TOTAL")};
    for (int c = 1; c < textColumns; ++c)
        total.append(QString());
    table.append(total + numbers(sum));
    printTable(header, table, textColumns);
}

QJsonObject summaryJson(const UsageSummaryRow& r, const UsageQuery& q) {
    QJsonObject o;
    if (q.byDay)
        o.insert(QStringLiteral("day"), r.day);
    for (const QString& g : q.groupBy)
        o.insert(g, groupValue(r, g));
    o.insert(QStringLiteral("requests"), r.requests);
    o.insert(QStringLiteral("admitted"), r.admitted);
    o.insert(QStringLiteral("errors"), r.errors);
    o.insert(QStringLiteral("truncated"), r.truncated);
    o.insert(QStringLiteral("prompt_tokens"), r.promptTokens);
    o.insert(QStringLiteral("candidates_tokens"), r.candidatesTokens);
    o.insert(QStringLiteral("thoughts_tokens"), r.thoughtsTokens);
    o.insert(QStringLiteral("output_tokens"), outputTokens(r));
    o.insert(QStringLiteral("cached_tokens"), r.cachedTokens);
    o.insert(QStringLiteral("total_tokens"), r.totalTokens);
    o.insert(QStringLiteral("bytes_in"), r.bytesIn);
    o.insert(QStringLiteral("bytes_out"), r.bytesOut);
    return o;
}

QString timeText(qint64 ms, const QTimeZone& zone) {
    return QDateTime::fromMSecsSinceEpoch(ms, zone).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
}

QJsonObject recordJson(const UsageRecord& r, const QTimeZone& zone) {
    QJsonObject o;
    o.insert(QStringLiteral("time_ms"), r.timeMs);
    o.insert(QStringLiteral("time"), QDateTime::fromMSecsSinceEpoch(r.timeMs, zone).toString(Qt::ISODateWithMs));
    o.insert(QStringLiteral("day"), r.day);
    o.insert(QStringLiteral("request_id"), QString::fromLatin1(r.requestId));
    o.insert(QStringLiteral("client"), r.client);
    o.insert(QStringLiteral("namespace"), r.nameSpace);
    o.insert(QStringLiteral("key"), r.keyId);
    o.insert(QStringLiteral("model"), r.model);
    o.insert(QStringLiteral("route"), r.route);
    o.insert(QStringLiteral("status"), r.status);
    o.insert(QStringLiteral("latency_us"), r.latencyUs);
    o.insert(QStringLiteral("ttfb_us"), r.ttfbUs);
    o.insert(QStringLiteral("prompt_tokens"), r.promptTokens);
    o.insert(QStringLiteral("candidates_tokens"), r.candidatesTokens);
    o.insert(QStringLiteral("thoughts_tokens"), r.thoughtsTokens);
    o.insert(QStringLiteral("cached_tokens"), r.cachedTokens);
    o.insert(QStringLiteral("total_tokens"), r.totalTokens);
    o.insert(QStringLiteral("bytes_in"), r.bytesIn);
    o.insert(QStringLiteral("bytes_out"), r.bytesOut);
    o.insert(QStringLiteral("error_kind"), r.errorKind);
    o.insert(QStringLiteral("truncated"), r.truncated);
    o.insert(QStringLiteral("stream"), r.stream);
    o.insert(QStringLiteral("admitted"), r.admitted);
    return o;
}

QString millis(qint64 us) {
    return us < 0 ? QStringLiteral("-") : QString::number(double(us) / 1000.0, 'f', 1);
}

void printRecordsTable(const QList<UsageRecord>& records, const QTimeZone& zone) {
    const QStringList header{QStringLiteral("time"),       QStringLiteral("request_id"), QStringLiteral("client"),
                             QStringLiteral("namespace"),  QStringLiteral("key"),        QStringLiteral("model"),
                             QStringLiteral("error"),      QStringLiteral("flags"),      QStringLiteral("status"),
                             QStringLiteral("latency_ms"), QStringLiteral("ttfb_ms"),    QStringLiteral("prompt"),
                             QStringLiteral("output"),     QStringLiteral("total"),      QStringLiteral("bytes_in"),
                             QStringLiteral("bytes_out")};
    QList<QStringList> table;
    for (const UsageRecord& r : records) {
        QStringList flags;
        if (r.stream)
            flags.append(QStringLiteral("stream"));
        if (r.truncated)
            flags.append(QStringLiteral("truncated"));
        if (!r.admitted)
            flags.append(QStringLiteral("rejected"));
        table.append({timeText(r.timeMs, zone), orDash(QString::fromLatin1(r.requestId)), orDash(r.client),
                      orDash(r.nameSpace), orDash(r.keyId), orDash(r.model), orDash(r.errorKind),
                      orDash(flags.join(u',')), QString::number(r.status), millis(r.latencyUs), millis(r.ttfbUs),
                      QString::number(r.promptTokens), QString::number(r.candidatesTokens + r.thoughtsTokens),
                      QString::number(r.totalTokens), QString::number(r.bytesIn), QString::number(r.bytesOut)});
    }
    printTable(header, table, 8);
}

void printJson(const QJsonArray& array) {
    std::printf("%s", QJsonDocument(array).toJson(QJsonDocument::Indented).constData());
}

} // namespace

int runUsageCommand(const QString& configPath, const QStringList& args) {
    if (!args.isEmpty() &&
        (args[0] == QLatin1String("help") || args[0] == QLatin1String("--help") || args[0] == QLatin1String("-h"))) {
        std::printf("%s", qPrintable(usageUsage()));
        return 0;
    }
    Options o;
    const QString badArgs = parseOptions(args, &o);
    if (!badArgs.isEmpty()) {
        err(badArgs);
        return 2;
    }

    const ConfigLoadResult loaded = loadConfigFile(configPath);
    if (!loaded.ok()) {
        err(QStringLiteral("invalid config %1:\n%2").arg(configPath, loaded.errorText()));
        return 1;
    }
    const QTimeZone zone = zoneOf(loaded.config->limits.timeZone);
    const QString dbPath = KeyManager::databasePathFor(*loaded.config);
    if (!QFileInfo::exists(dbPath)) { // a read-only command: no file is created for it
        if (o.json)
            printJson({});
        else
            out(QStringLiteral("no usage recorded yet (there is no state database at %1)").arg(dbPath));
        return 0;
    }
    QString error;
    std::unique_ptr<StateDb> db = StateDb::open(dbPath, &error);
    if (!db) {
        err(error);
        return 1;
    }
    UsageStore store(db.get());

    if (o.requests > 0) {
        const QList<UsageRecord> records = store.recent(o.requests, o.client);
        if (o.json) {
            QJsonArray array;
            for (const UsageRecord& r : records)
                array.append(recordJson(r, zone));
            printJson(array);
        } else if (records.isEmpty()) {
            out(o.client.isEmpty()
                    ? QStringLiteral("no request records (usage is recorded while the gateway runs with usage.enabled)")
                    : QStringLiteral("no request records for client \"%1\"").arg(o.client));
        } else {
            printRecordsTable(records, zone);
        }
        return 0;
    }

    UsageQuery q;
    q.groupBy = o.groupBy;
    q.byDay = !o.total;
    const QDate today = QDateTime::currentDateTime().toTimeZone(zone).date();
    const QDate to = o.to.isValid() ? o.to : today;
    const QDate from = o.from.isValid() ? o.from : to.addDays(-(o.days - 1));
    q.fromDay = dayText(from);
    q.toDay = o.to.isValid() ? dayText(o.to) : QString(); // nothing is newer than today, whatever the clock says
    q.client = o.client;
    q.nameSpace = o.nameSpace;
    q.keyId = o.keyId;
    q.model = o.model;
    const QList<UsageSummaryRow> rows = store.summarize(q);

    if (o.json) {
        QJsonArray array;
        for (const UsageSummaryRow& r : rows)
            array.append(summaryJson(r, q));
        printJson(array);
        return 0;
    }
    const QString range =
        QStringLiteral("%1 to %2 (days in %3)")
            .arg(q.fromDay, o.to.isValid() ? q.toDay : QStringLiteral("today"), QString::fromUtf8(zone.id()));
    if (rows.isEmpty()) {
        const bool filtered = !o.client.isEmpty() || !o.nameSpace.isEmpty() || !o.keyId.isEmpty() || !o.model.isEmpty();
        out(QStringLiteral("no usage recorded from %1%2")
                .arg(range, filtered ? QStringLiteral(" matching the filters") : QString()));
        return 0;
    }
    out(QStringLiteral("usage from %1").arg(range));
    printSummaryTable(rows, q);
    return 0;
}

} // namespace gemgate
