-- CreateTable
CREATE TABLE "agents" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "template" TEXT NOT NULL,
    "template_source" TEXT NOT NULL,
    "network_profile" TEXT NOT NULL,
    "image_ref" TEXT NOT NULL,
    "image_digest" TEXT NOT NULL,
    "lock_digest" TEXT NOT NULL,
    "locked_at" DATETIME NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
