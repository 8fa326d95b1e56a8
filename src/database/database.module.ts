import { Global, Module } from '@nestjs/common';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Database } from './database.js';
import { ReadPool } from './read-pool.js';
import { SqlPool } from './sql.js';

/**
 * Makes the opened {@link Database}, its SQL pool (and the reads' share of it), its ORM and its
 * EntityManager injectable.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(database: Database) {
    return {
      module: DatabaseModule,
      providers: [
        { provide: Database, useValue: database },
        { provide: SqlPool, useValue: database.sql },
        { provide: ReadPool, useValue: database.reads },
        { provide: MikroORM, useValue: database.orm },
        // The root EntityManager: callers fork it for their own unit of work.
        { provide: EntityManager, useValue: database.orm.em },
      ],
      exports: [Database, SqlPool, ReadPool, MikroORM, EntityManager],
    };
  }
}
