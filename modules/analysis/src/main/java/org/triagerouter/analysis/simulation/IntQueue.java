package org.triagerouter.analysis.simulation;

import java.util.Arrays;

/** A first-in, first-out queue of study indices without boxing: the worklists hold up to a year of studies. */
final class IntQueue {
    private int[] items = new int[64];
    private int head;
    private int size;

    void add(int item) {
        if (size == items.length) grow();
        items[(head + size) % items.length] = item;
        size++;
    }

    int peek() {
        if (size == 0) throw new IllegalStateException("empty queue");
        return items[head];
    }

    int poll() {
        int item = peek();
        head = (head + 1) % items.length;
        size--;
        return item;
    }

    boolean isEmpty() {
        return size == 0;
    }

    private void grow() {
        int[] bigger = new int[items.length * 2];
        int firstPart = Math.min(size, items.length - head);
        System.arraycopy(items, head, bigger, 0, firstPart);
        System.arraycopy(items, 0, bigger, firstPart, size - firstPart);
        items = bigger;
        head = 0;
    }

    @Override
    public String toString() {
        int[] copy = new int[size];
        for (int i = 0; i < size; i++) copy[i] = items[(head + i) % items.length];
        return Arrays.toString(copy);
    }
}
