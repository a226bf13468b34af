// file:<path>: a file holding only the key, readable by its owner alone.

#include "secrets/secretstore_p.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace gemgate::secrets_detail {

namespace {

constexpr qint64 kMaxSecretFileSize = 64 * 1024;

QString errnoText(int err) {
    return QString::fromLocal8Bit(std::strerror(err));
}

QString octalMode(mode_t mode) {
    return QStringLiteral("0%1").arg(static_cast<uint>(mode & 07777), 3, 8, QLatin1Char('0'));
}

bool isSpaceByte(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

// Closes a file descriptor on every return path.
class FdGuard {
public:
    explicit FdGuard(int fd)
        : m_fd(fd) {}
    ~FdGuard() {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    FdGuard(const FdGuard&) = delete;
    FdGuard& operator=(const FdGuard&) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

class FileStore final : public SecretStore {
public:
    explicit FileStore(const QString& baseDir)
        : m_baseDir(baseDir) {}
    ~FileStore() override { m_alive->store(false); }

    SecretBackend backend() const override { return SecretBackend::File; }

    void read(const QString& name, SecretCallback done) override {
        deliverLater(m_alive, std::move(done), readNow(name));
    }

    void write(const QString& name, const QByteArray& value, SecretCallback done) override {
        deliverLater(m_alive, std::move(done), writeNow(name, value));
    }

    void remove(const QString& name, SecretCallback done) override {
        deliverLater(m_alive, std::move(done), removeNow(name));
    }

private:
    QString resolve(const QString& name) const {
        QString path = name;
        if (path == QLatin1String("~")) {
            path = QDir::homePath();
        } else if (path.startsWith(QLatin1String("~/"))) {
            path = QDir::homePath() + path.mid(1);
        } else if (QDir::isRelativePath(path)) {
            path = QDir(m_baseDir.isEmpty() ? QDir::currentPath() : m_baseDir).absoluteFilePath(path);
        }
        return QDir::cleanPath(path);
    }

    static SecretResult emptyName() { return failure(QStringLiteral("file: the file name is empty; use file:<path>")); }

    SecretResult readNow(const QString& name) const {
        if (name.isEmpty()) {
            return emptyName();
        }
        const QString path = resolve(name);
        const QByteArray native = QFile::encodeName(path);
        // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below anyway).
        const FdGuard fd(::open(native.constData(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
        if (fd.get() < 0) {
            const int err = errno;
            if (err == ENOENT || err == ENOTDIR) {
                return failure(QStringLiteral("file: %1 does not exist; put the key (and nothing else) in it and run "
                                              "chmod 600 %1, or fix the file: reference")
                                   .arg(path),
                               true);
            }
            if (err == EACCES) {
                return failure(QStringLiteral("file: cannot open %1 (%2); the file must belong to the user the "
                                              "gateway runs as, with mode 600 (chown it, then chmod 600 %1)")
                                   .arg(path, errnoText(err)));
            }
            return failure(QStringLiteral("file: cannot open %1 (%2); check the path").arg(path, errnoText(err)));
        }
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0) {
            return failure(QStringLiteral("file: cannot stat %1 (%2)").arg(path, errnoText(errno)));
        }
        if (!S_ISREG(st.st_mode)) {
            return failure(QStringLiteral("file: %1 is not a regular file; point the file: reference at a file that "
                                          "holds only the key")
                               .arg(path));
        }
        if ((st.st_mode & 077) != 0) {
            return failure(QStringLiteral("file: %1 has mode %2, so group or others can access it; run chmod 600 %1 "
                                          "(the key file must be readable by its owner only)")
                               .arg(path, octalMode(st.st_mode)));
        }
        if (st.st_size > kMaxSecretFileSize) {
            return failure(QStringLiteral("file: %1 is larger than %2 KiB; it must hold only the key")
                               .arg(path)
                               .arg(kMaxSecretFileSize / 1024));
        }
        QByteArray data;
        data.reserve(static_cast<qsizetype>(st.st_size));
        char buf[4096];
        for (;;) {
            const ssize_t n = ::read(fd.get(), buf, sizeof buf);
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return failure(QStringLiteral("file: cannot read %1 (%2)").arg(path, errnoText(errno)));
            }
            if (n == 0) {
                break;
            }
            data.append(buf, static_cast<qsizetype>(n));
            if (data.size() > kMaxSecretFileSize) {
                return failure(QStringLiteral("file: %1 is larger than %2 KiB; it must hold only the key")
                                   .arg(path)
                                   .arg(kMaxSecretFileSize / 1024));
            }
        }
        while (!data.isEmpty() && isSpaceByte(data.back())) {
            data.chop(1);
        }
        if (data.isEmpty()) {
            return failure(QStringLiteral("file: %1 is empty; put the key in it (and nothing else)").arg(path));
        }
        SecretResult r;
        r.ok = true;
        r.value = data;
        return r;
    }

    // Creates dir and any missing parents with mode 0700.
    static bool ensureDir(const QString& dir, QString* error) {
        const QByteArray native = QFile::encodeName(dir);
        struct stat st {};
        if (::stat(native.constData(), &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                return true;
            }
            *error = QStringLiteral("%1 exists but is not a directory").arg(dir);
            return false;
        }
        const QString parent = QFileInfo(dir).path();
        if (parent != dir && !ensureDir(parent, error)) {
            return false;
        }
        if (::mkdir(native.constData(), 0700) != 0 && errno != EEXIST) {
            *error = QStringLiteral("cannot create the directory %1 (%2)").arg(dir, errnoText(errno));
            return false;
        }
        ::chmod(native.constData(), 0700); // in case the umask took bits away
        return true;
    }

    SecretResult writeNow(const QString& name, const QByteArray& value) const {
        if (name.isEmpty()) {
            return emptyName();
        }
        const QString path = resolve(name);
        if (value.isEmpty()) {
            return failure(QStringLiteral("file: refusing to write an empty key to %1").arg(path));
        }
        QString dirError;
        if (!ensureDir(QFileInfo(path).absolutePath(), &dirError)) {
            return failure(QStringLiteral("file: cannot write %1: %2; fix the directory (mode 700) or choose another "
                                          "path")
                               .arg(path, dirError));
        }
        const auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
        QSaveFile f(path);
        if (!f.open(QIODevice::WriteOnly)) {
            return failure(QStringLiteral("file: cannot create %1 (%2); check the directory's permissions")
                               .arg(path, f.errorString()));
        }
        // The temporary file may start out with the umask's mode (or the old file's mode): restrict it before a
        // single byte of the key is written.
        if (!f.setPermissions(ownerOnly)) {
            const QString why = f.errorString();
            f.cancelWriting();
            return failure(QStringLiteral("file: cannot restrict the new %1 to mode 600 (%2); nothing was written")
                               .arg(path, why));
        }
        if (f.write(value) != value.size()) {
            const QString why = f.errorString();
            f.cancelWriting();
            return failure(QStringLiteral("file: cannot write %1 (%2); the old file is unchanged").arg(path, why));
        }
        if (!f.commit()) {
            return failure(
                QStringLiteral("file: cannot write %1 (%2); the old file is unchanged").arg(path, f.errorString()));
        }
        // Belt and braces: the committed file must be 0600 whatever the temporary file's history.
        const QByteArray native = QFile::encodeName(path);
        struct stat st {};
        if (::stat(native.constData(), &st) != 0 ||
            ((st.st_mode & 07777) != 0600 && ::chmod(native.constData(), 0600) != 0)) {
            return failure(QStringLiteral("file: wrote %1 but cannot set its mode to 600 (%2); run chmod 600 %1")
                               .arg(path, errnoText(errno)));
        }
        SecretResult r;
        r.ok = true;
        return r;
    }

    SecretResult removeNow(const QString& name) const {
        if (name.isEmpty()) {
            return emptyName();
        }
        const QString path = resolve(name);
        const QByteArray native = QFile::encodeName(path);
        struct stat st {};
        if (::lstat(native.constData(), &st) == 0 && S_ISDIR(st.st_mode)) {
            return failure(QStringLiteral("file: %1 is a directory, not a key file; nothing was removed").arg(path));
        }
        if (::unlink(native.constData()) != 0) {
            const int err = errno;
            if (err == ENOENT || err == ENOTDIR) {
                return failure(QStringLiteral("file: %1 does not exist; nothing to remove").arg(path), true);
            }
            return failure(QStringLiteral("file: cannot remove %1 (%2); check the directory's permissions")
                               .arg(path, errnoText(err)));
        }
        SecretResult r;
        r.ok = true;
        return r;
    }

    QString m_baseDir;
    AliveFlag m_alive = makeAliveFlag();
};

} // namespace

std::unique_ptr<SecretStore> createFileStore(const QString& baseDir) {
    return std::make_unique<FileStore>(baseDir);
}

} // namespace gemgate::secrets_detail
